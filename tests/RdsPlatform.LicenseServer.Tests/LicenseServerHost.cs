using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.ServiceDefaults.Clock;
using RdsPlatform.Testing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>
/// A license server in process on a real SQLite file in its own temp folder, with simulated time, reached through a
/// real gRPC channel. <see cref="RestartAsync"/> starts a new host on the same folder.
/// </summary>
public sealed class LicenseServerHost : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private WebApplicationFactory<LicenseServerService> _factory;
    private GrpcChannel _channel;

    public LicenseServerHost(IDictionary<string, string?>? settings = null, string? dataDirectory = null)
    {
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "rds-ls-tests", Guid.NewGuid().ToString("N"));
        _settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = DataDirectory,
            ["Clock:Mode"] = "Simulated",
        };
        foreach (var (key, value) in TestKeys.Settings)
        {
            _settings[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        (_factory, _channel) = Start();
    }

    public string DataDirectory { get; }

    public LicenseServerClient Client => new(_channel.WithRoleKeys(typeof(LicenseServerService)));

    public GrpcChannel Channel => _channel;

    public Clock.ClockClient Clock => new(_channel.WithRoleKeys(typeof(ClockService)));

    public IServiceProvider Services => _factory.Services;

    public async Task RestartAsync()
    {
        _channel.Dispose();
        await _factory.DisposeAsync();
        (_factory, _channel) = Start();
    }

    public async Task AdvanceAsync(TimeSpan by) =>
        await Clock.AdvanceAsync(new AdvanceRequest { By = Duration.FromTimeSpan(by) });

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _factory.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still closing is left for the OS temp cleanup.
        }
    }

    private (WebApplicationFactory<LicenseServerService>, GrpcChannel) Start()
    {
        var factory = new WebApplicationFactory<LicenseServerService>().WithWebHostBuilder(web =>
        {
            foreach (var (key, value) in _settings)
            {
                web.UseSetting(key, value);
            }
        });
        var channel = GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = factory.Server.CreateHandler() });
        return (factory, channel);
    }
}

/// <summary>Requests the tests send again and again, and ways to read refusals.</summary>
public static class Requests
{
    public static InstallKeyPackRequest Retail(string code, CalType type = CalType.PerDevice, ProductVersion version = ProductVersion._2022, int count = 10) => new()
    {
        Program = KeyPackProgram.Retail,
        RetailCode = code,
        CalType = type,
        ProductVersion = version,
        Count = count,
    };

    public static int CodeCounter;

    /// <summary>A fresh valid retail code.</summary>
    public static string NewCode() => $"AAAAA-BBBBB-CCCCC-DDDDD-{Interlocked.Increment(ref CodeCounter):D5}";

    public static RequestLicenseRequest Device(string hardwareId, ProductVersion hostVersion = ProductVersion._2022) => new()
    {
        SessionHostId = "host-1",
        SessionHostVersion = hostVersion,
        CalType = CalType.PerDevice,
        HardwareId = hardwareId,
        ComputerName = $"PC-{hardwareId}",
    };

    public static RequestLicenseRequest User(string user, string domain = "CONTOSO", ProductVersion hostVersion = ProductVersion._2022) => new()
    {
        SessionHostId = "host-1",
        SessionHostVersion = hostVersion,
        CalType = CalType.PerUser,
        UserDomain = domain,
        UserName = user,
    };

    public static ContactDetails Contact() => new() { FirstName = "Ada", LastName = "Lovelace", Company = "Contoso", Country = "GB" };

    public static async Task ActivateAsync(this LicenseServerClient client) =>
        await client.ActivateServerAsync(new ActivateServerRequest { Contact = Contact() });

    /// <summary>A permanent Per Device CAL: temporary, validated, then upgraded.</summary>
    public static async Task<RequestLicenseResponse> PermanentDeviceAsync(this LicenseServerClient client, string hardwareId, ProductVersion hostVersion = ProductVersion._2022)
    {
        var temporary = await client.RequestLicenseAsync(Device(hardwareId, hostVersion));
        await client.MarkLicenseValidatedAsync(new MarkLicenseValidatedRequest { LicenseId = temporary.License.LicenseId, SessionHostId = "host-1" });
        return await client.RequestLicenseAsync(Device(hardwareId, hostVersion));
    }

    public static async Task<List<T>> ToListAsync<T>(this AsyncServerStreamingCall<T> call)
    {
        var items = new List<T>();
        await foreach (var item in call.ResponseStream.ReadAllAsync())
        {
            items.Add(item);
        }

        return items;
    }

    public static async Task<RpcException> RefusedAsync<T>(Func<AsyncUnaryCall<T>> call) => await Assert.ThrowsAsync<RpcException>(async () => await call());

    public static IReadOnlyList<string> ViolatedFields(this RpcException ex) =>
        ex.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field).ToList() ?? [];
}
