using System.Globalization;
using Grpc.Core;
using Grpc.Health.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.ServiceDefaults.Security;
using RdsPlatform.Testing;
using Xunit.Abstractions;

namespace RdsPlatform.Security.Tests;

/// <summary>
/// Thousands of hostile requests to every RPC of every service, and raw frames of garbage on the wire. No call may end
/// as Internal or Unknown, the services must still answer health afterwards, and a refused call must change nothing.
/// A fixed seed keeps CI reproducible; RDS_FUZZ_CASES runs longer (and RDS_FUZZ_SEED another sequence).
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int DefaultCases = 2000;
    private const int DefaultSeed = 20260302;

    [Fact]
    public async Task EveryRpcOfEveryServiceSurvivesHostileRequestsAndRefusedOnesChangeNothing()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable("RDS_FUZZ_CASES"), CultureInfo.InvariantCulture, out var configured) && configured > 0
            ? configured
            : DefaultCases;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("RDS_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        await using var platform = new Platform(licenseServerSettings: new Dictionary<string, string?>
        {
            ["LicenseServer:SecurityGroupEnabled"] = "true",
            ["LicenseServer:AllowedSessionHosts:0"] = "host-1",
            ["LicenseServer:AllowedSessionHosts:1"] = "host-2",
        });
        var (values, bytes) = await SeedAsync(platform);
        var random = new Random(seed);
        var hostile = new HostileMessages(random, values, bytes);
        var failures = new List<string>();
        var statuses = new Dictionary<StatusCode, int>();
        var state = await StateSnapshot.TakeAsync(platform);

        for (var i = 0; i < cases; i++)
        {
            var rpc = RpcCatalog.All[random.Next(RpcCatalog.All.Count)];
            var request = hostile.Message(rpc.Descriptor.InputType);
            var key = Key(random, rpc);
            var status = await RpcCatalog.CallAsync(platform.Invoker(platform.Servers[rpc.Server], key), rpc, request, maxItems: 5000);
            statuses[status.StatusCode] = statuses.GetValueOrDefault(status.StatusCode) + 1;
            if (status.StatusCode is StatusCode.Internal or StatusCode.Unknown)
            {
                failures.Add($"case {i}: {rpc} answered {status.StatusCode} ({status.Detail}) to {Describe(request)}");
            }

            var after = await StateSnapshot.TakeAsync(platform);
            if (status.StatusCode != StatusCode.OK && after != state)
            {
                failures.Add($"case {i}: {rpc} refused with {status.StatusCode} but changed state; request {Describe(request)}");
            }

            state = after;
        }

        var wireCases = Math.Max(cases / 10, 50);
        for (var i = 0; i < wireCases; i++)
        {
            var rpc = RpcCatalog.All[random.Next(RpcCatalog.All.Count)];
            var http = platform.Servers[rpc.Server].CreateClient();
            var (status, message) = await InputLimitTests.RawCallAsync(http, rpc.FullName, hostile.WireBody(), random.Next(5) == 0 ? null : TestKeys.Admin);
            if (status is "" or "2" or "13")
            {
                failures.Add($"wire case {i}: {rpc} answered grpc-status '{status}' ({message})");
            }
        }

        foreach (var (name, server) in platform.Servers)
        {
            var health = await new Health.HealthClient(platform.Channel(server)).CheckAsync(new HealthCheckRequest());
            Assert.True(health.Status == HealthCheckResponse.Types.ServingStatus.Serving, $"{name} is {health.Status} after fuzzing.");
        }

        var summary = $"Fuzzed {cases} hostile requests over {RpcCatalog.All.Count} RPCs and {wireCases} raw wire frames (seed {seed}): "
            + string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"));
        output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
    }

    /// <summary>Mostly a key of a role the RPC admits, sometimes a key of any role, sometimes none or a forged one.</summary>
    private static string? Key(Random random, Rpc rpc) => random.Next(20) switch
    {
        0 => null,
        1 => "forged-" + random.Next(),
        < 4 => TestKeys.ForRole(RdsRoles.All[random.Next(RdsRoles.All.Count)]),
        4 => TestKeys.RestrictedSessionHost,
        _ => TestKeys.ForRole(rpc.AllowedRoles[random.Next(rpc.AllowedRoles.Count)]),
    };

    /// <summary>Real ids, names and a real certificate, so that mutated requests reach past the first checks.</summary>
    internal static async Task<(List<string> Values, List<byte[]> Bytes)> SeedAsync(Platform platform)
    {
        await platform.ActivateAndInstallAsync();
        await platform.ConfigureHostAsync("host-1");
        var connected = await platform.ConnectAsync("host-1", "device-1");
        var license = (await platform.IssuedAsync()).Single();
        var pack = (await platform.LicenseServerAs(TestKeys.Admin).ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks.Single();
        var report = (await platform.ReportingAs(TestKeys.Reporter).GenerateReportAsync(new GenerateReportRequest { Kind = ReportKind.PerDevice })).Report;
        List<string> values =
        [
            "host-1", "host-2", "outsider", "device-1", "device-2", "PC-1", "CONTOSO", "alice", "license-server",
            license.LicenseId, pack.KeyPackId, report.ReportId, connected.SessionId, Guid.NewGuid().ToString(),
            "AAAAA-BBBBB-CCCCC-DDDDD-00009", "12345678", "ABCDEFGHIJKLMNO", "1234567", "ada@contoso.example", "GB",
        ];
        return (values, [connected.Certificate.Data.ToByteArray()]);
    }

    private static string Describe(Google.Protobuf.IMessage request)
    {
        var text = request.ToString() ?? "";
        return text.Length > 300 ? text[..300] + "…" : text;
    }
}
