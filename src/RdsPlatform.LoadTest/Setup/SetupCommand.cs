using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;

using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.LoadTest.Setup;

/// <summary>What <c>setup</c> creates.</summary>
/// <param name="LicenseServerEntry">The license server as the gateway reaches it (stored in the host's settings).</param>
/// <param name="Headers">Client-role headers (Connect, SignIn).</param>
/// <param name="AdminHeaders">Admin-role headers (activation, key packs, host settings, the clock); the client headers when null.</param>
public sealed record SetupOptions(
    Uri Gateway,
    Uri LicenseServer,
    string LicenseServerEntry,
    string HostId,
    int Devices,
    string DevicePrefix,
    bool PastGrace,
    int Parallelism,
    Metadata? Headers,
    Metadata? AdminHeaders = null);

/// <summary>
/// Creates the state the scenarios need, through the public RPCs only: activates the license server and installs a
/// Per Device pack, registers a Per Device session host, optionally moves simulated time past its 120-day grace period,
/// then walks each device through first connection (temporary CAL), sign-in (validated) and reconnection (permanent CAL),
/// and connects it once more presenting that certificate to open a session.
/// </summary>
public sealed class SetupCommand(SetupOptions options, TextWriter log)
{
    public const string Version = "2022";

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    public async Task<SetupState> RunAsync(CancellationToken cancellationToken)
    {
        using var gatewayChannel = GrpcChannel.ForAddress(options.Gateway);
        using var licenseChannel = GrpcChannel.ForAddress(options.LicenseServer);
        var gateway = new SessionHostGateway.SessionHostGatewayClient(gatewayChannel);
        var licenses = new LicenseServerClient(licenseChannel);

        await ActivateAsync(licenses, cancellationToken);
        var pack = await licenses.InstallKeyPackAsync(new InstallKeyPackRequest
        {
            Program = KeyPackProgram.Retail,
            RetailCode = RandomRetailCode(),
            ProductVersion = ProductVersion._2022,
            CalType = CalType.PerDevice,
            Count = Math.Max(1, options.Devices),
        }, AdminOptions(cancellationToken));
        log.WriteLine($"Installed Per Device 2022 key pack {pack.KeyPack.KeyPackId} with {pack.KeyPack.Total} CALs.");

        await gateway.ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = options.HostId,
            Version = ProductVersion._2022,
            LicensingMode = LicensingMode.PerDevice,
            LicenseServers = { options.LicenseServerEntry },
        }, AdminOptions(cancellationToken));
        log.WriteLine($"Session host {options.HostId} uses Per Device licensing from {options.LicenseServerEntry}.");

        var grace = await gateway.GetGracePeriodAsync(new GetGracePeriodRequest { HostId = options.HostId }, AdminOptions(cancellationToken));
        if (options.PastGrace && grace.InGrace)
        {
            var by = grace.EndsAt.ToDateTimeOffset() - grace.StartedAt.ToDateTimeOffset() + TimeSpan.FromDays(1);
            await AdvanceEverywhereAsync([new Clock.ClockClient(gatewayChannel), new Clock.ClockClient(licenseChannel)], by, options.AdminHeaders ?? options.Headers, cancellationToken);
            grace = await gateway.GetGracePeriodAsync(new GetGracePeriodRequest { HostId = options.HostId }, AdminOptions(cancellationToken));
            log.WriteLine($"Simulated time advanced by {by.TotalDays:0} days; grace period over: {!grace.InGrace}.");
        }

        var devices = new ConcurrentBag<(int Index, BenchDevice Device)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Devices),
            new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken },
            async (i, ct) => devices.Add((i, await PermanentDeviceAsync(gateway, $"{options.DevicePrefix}-{i}", ct))));

        log.WriteLine($"{devices.Count} devices hold a valid permanent CAL and an open session.");
        return new SetupState(options.Gateway.ToString(), options.LicenseServer.ToString(), options.HostId, Version, !grace.InGrace,
            [.. devices.OrderBy(d => d.Index).Select(d => d.Device)]);
    }

    /// <summary>Moves simulated time on the first service, then makes sure every other one agrees (through the shared cache, or by advancing it too).</summary>
    public static async Task AdvanceEverywhereAsync(IReadOnlyList<Clock.ClockClient> clocks, TimeSpan by, Metadata? headers, CancellationToken cancellationToken)
    {
        var advanced = await clocks[0].AdvanceAsync(new AdvanceRequest { By = Duration.FromTimeSpan(by) }, headers, cancellationToken: cancellationToken);
        var target = advanced.Offset.ToTimeSpan();
        foreach (var clock in clocks.Skip(1))
        {
            var offset = TimeSpan.Zero;
            for (var attempt = 0; attempt < 20; attempt++)
            {
                offset = (await clock.GetTimeAsync(new GetTimeRequest(), headers, cancellationToken: cancellationToken)).Offset.ToTimeSpan();
                if (offset >= target)
                {
                    break;
                }

                await Task.Delay(150, cancellationToken);
            }

            if (offset < target)
            {
                // No shared cache: this service keeps its own offset.
                await clock.AdvanceAsync(new AdvanceRequest { By = Duration.FromTimeSpan(target - offset) }, headers, cancellationToken: cancellationToken);
            }
        }
    }

    /// <summary>ghz's metadata file for client-role calls: the bearer token when a key is given, else no headers.</summary>
    public static void WriteGhzMetadata(string? apiKey, string directory)
    {
        Directory.CreateDirectory(directory);
        var metadata = string.IsNullOrWhiteSpace(apiKey)
            ? new Dictionary<string, string>()
            : new Dictionary<string, string> { ["authorization"] = $"Bearer {apiKey.Trim()}" };
        File.WriteAllText(Path.Combine(directory, "client.metadata.json"), JsonSerializer.Serialize(metadata));
    }

    public static void WriteGhzData(SetupState state, string directory)
    {
        Directory.CreateDirectory(directory);
        var connect = state.Devices.Select(d => new Dictionary<string, object>
        {
            ["host_id"] = state.HostId,
            ["device"] = new Dictionary<string, string> { ["hardware_id"] = d.HardwareId, ["computer_name"] = d.ComputerName },
            ["user"] = new Dictionary<string, string> { ["domain"] = "CONTOSO", ["name"] = "bench" },
            ["presented_certificate"] = new Dictionary<string, string> { ["data"] = d.Certificate },
        });
        var signIn = state.Devices.Select(d => new Dictionary<string, string> { ["session_id"] = d.SessionId });
        var json = new JsonSerializerOptions { WriteIndented = false };
        File.WriteAllText(Path.Combine(directory, "connect-valid.data.json"), JsonSerializer.Serialize(connect, json));
        File.WriteAllText(Path.Combine(directory, "signin.data.json"), JsonSerializer.Serialize(signIn, json));
    }

    /// <summary>
    /// h2load's request bodies (it sends the same body on every call): <c>connect-valid.grpc</c>, the Connect the first
    /// device made last (presenting its permanent certificate), and <c>signin.grpc</c>, a SignIn of the session that
    /// Connect opened, each as one gRPC length-prefixed message.
    /// </summary>
    public static void WriteH2loadBodies(SetupState state, string directory)
    {
        Directory.CreateDirectory(directory);
        var device = state.Devices[0];
        var connect = ConnectRequestFor(state.HostId, device.HardwareId, device.ComputerName, ByteString.FromBase64(device.Certificate));
        File.WriteAllBytes(Path.Combine(directory, "connect-valid.grpc"), GrpcFrame(connect));
        File.WriteAllBytes(Path.Combine(directory, "signin.grpc"), GrpcFrame(new SignInRequest { SessionId = device.SessionId }));
    }

    /// <summary>One uncompressed gRPC message on the wire: flag 0, big-endian length, the protobuf bytes.</summary>
    public static byte[] GrpcFrame(IMessage message)
    {
        var body = message.ToByteArray();
        var frame = new byte[5 + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)body.Length);
        body.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>The Connect a bench device sends, presenting <paramref name="certificate"/> unless it is empty.</summary>
    private static ConnectRequest ConnectRequestFor(string hostId, string hardwareId, string computerName, ByteString certificate)
    {
        var request = new ConnectRequest
        {
            HostId = hostId,
            Device = new Device { HardwareId = hardwareId, ComputerName = computerName },
            User = new User { Domain = "CONTOSO", Name = "bench" },
        };
        if (!certificate.IsEmpty)
        {
            request.PresentedCertificate = new CalCertificate { Data = certificate };
        }

        return request;
    }

    private async Task ActivateAsync(LicenseServerClient licenses, CancellationToken cancellationToken)
    {
        var info = (await licenses.GetServerInfoAsync(new GetServerInfoRequest(), AdminOptions(cancellationToken))).Server;
        var contact = new ContactDetails { FirstName = "Load", LastName = "Test", Company = "RdsPlatform", Country = "US", Email = "loadtest@example.com" };
        switch (info.ActivationState)
        {
            case ActivationState.NotActivated:
                await licenses.ActivateServerAsync(new ActivateServerRequest { Contact = contact }, AdminOptions(cancellationToken));
                log.WriteLine($"Activated license server {info.ServerId}.");
                break;
            case ActivationState.Deactivated:
                await licenses.ReactivateServerAsync(new ReactivateServerRequest { Reason = "Load test setup", Contact = contact }, AdminOptions(cancellationToken));
                log.WriteLine($"Reactivated license server {info.ServerId}.");
                break;
        }
    }

    private async Task<BenchDevice> PermanentDeviceAsync(SessionHostGateway.SessionHostGatewayClient gateway, string hardwareId, CancellationToken cancellationToken)
    {
        var computerName = "PC-" + hardwareId;
        var certificate = ByteString.Empty;
        for (var step = 0; step < 6; step++)
        {
            var request = ConnectRequestFor(options.HostId, hardwareId, computerName, certificate);
            var response = await gateway.ConnectAsync(request, Options(cancellationToken));
            if (!response.Admitted || response.CertificateDetails is null)
            {
                throw new SetupException(
                    $"Device {hardwareId} was not given a certificate ({Load.Scenarios.Outcome(response)}): {response.Message} Check that the gateway reaches the license server at {options.LicenseServerEntry}.");
            }

            var presented = !certificate.IsEmpty;
            if (response.Certificate is { Data.IsEmpty: false } kept)
            {
                certificate = kept.Data;
            }

            if (response.CertificateDetails.Temporary)
            {
                // R4: the sign-in validates the temporary CAL, so the next connection upgrades it (R5).
                await gateway.SignInAsync(new SignInRequest { SessionId = response.SessionId }, Options(cancellationToken));
                continue;
            }

            if (presented && response.Reason == ReasonCode.ValidCal)
            {
                return new BenchDevice(hardwareId, computerName, certificate.ToBase64(), response.SessionId);
            }
        }

        throw new SetupException($"Device {hardwareId} did not reach a permanent CAL in six connections; is a Per Device 2022 pack installed and the license server activated?");
    }

    private CallOptions Options(CancellationToken cancellationToken) =>
        new(options.Headers, DateTime.UtcNow + CallTimeout, cancellationToken);

    private CallOptions AdminOptions(CancellationToken cancellationToken) =>
        new(options.AdminHeaders ?? options.Headers, DateTime.UtcNow + CallTimeout, cancellationToken);

    private static string RandomRetailCode()
    {
        const string alphabet = "BCDFGHJKMPQRTVWXY2346789";
        var chars = Enumerable.Range(0, 25).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]).ToArray();
        return string.Join('-', Enumerable.Range(0, 5).Select(g => new string(chars, g * 5, 5)));
    }
}

/// <summary>The services did not reach the state a scenario needs; the message says what to check.</summary>
public sealed class SetupException(string message) : Exception(message);
