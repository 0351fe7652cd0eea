using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Time.Testing;
using RdsPlatform.Reporting.Grpc;
using RdsPlatform.SessionHost.Grpc;
using RdsPlatform.Testing;
using LicenseServerService = RdsPlatform.LicenseServer.Grpc.LicenseServerService;

namespace RdsPlatform.Security.Tests;

/// <summary>
/// The three services in process from the shared <see cref="ServiceFarm"/>, with authentication on and the well-known test
/// keys: a license server on a real SQLite file, a gateway and a reporting service that reach it through the test server
/// with their own keys, and one fake clock for all three.
/// </summary>
public sealed class Platform : IAsyncDisposable
{
    public const string SecondLicenseServerName = "license-server-2";

    private readonly ServiceFarm _services;
    private readonly List<GrpcChannel> _channels = [];

    /// <param name="secondLicenseServer">Settings of a second license server, reached by the gateway as "license-server-2"; none when null.</param>
    public Platform(IDictionary<string, string?>? licenseServerSettings = null, IDictionary<string, string?>? allServiceSettings = null,
        IDictionary<string, string?>? secondLicenseServer = null)
    {
        // Every name the gateway resolves other than the second server's is the first license server.
        _services = new ServiceFarm("rds-security-tests") { Time = Time, FallbackRoute = Requests.LicenseServerName };
        foreach (var (key, value) in allServiceSettings ?? new Dictionary<string, string?>())
        {
            _services.CommonSettings[key] = value;
        }

        LicenseServerHost = _services.Start<LicenseServerService>(Requests.LicenseServerName,
            setup => setup.Set("LicenseServer:Version", "2025").SetAll(licenseServerSettings));
        if (secondLicenseServer is not null)
        {
            SecondLicenseServerHost = _services.Start<LicenseServerService>(SecondLicenseServerName, setup => setup.SetAll(secondLicenseServer));
        }

        GatewayHost = _services.Start<SessionHostGatewayService>("gateway", setup => setup.FastGateway().GatewayReachesLicenseServersThrough(_services.RouteByName));
        ReportingHost = _services.Start<ReportingService>("reporting", setup => setup.ReportingReadsLicenseServerThrough(LicenseServerHost.CreateHandler));
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    public ServiceHost<LicenseServerService> LicenseServerHost { get; }

    public ServiceHost<LicenseServerService>? SecondLicenseServerHost { get; }

    public ServiceHost<SessionHostGatewayService> GatewayHost { get; }

    public ServiceHost<ReportingService> ReportingHost { get; }

    /// <summary>The test server of each service, by the name the tests use.</summary>
    public IReadOnlyDictionary<string, TestServer> Servers => new Dictionary<string, TestServer>
    {
        ["license-server"] = LicenseServerHost.Server,
        ["gateway"] = GatewayHost.Server,
        ["reporting"] = ReportingHost.Server,
    };

    public GrpcChannel Channel(TestServer server)
    {
        var channel = GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.CreateHandler() });
        lock (_channels)
        {
            _channels.Add(channel);
        }

        return channel;
    }

    public CallInvoker LicenseServer(string? key) => Invoker(LicenseServerHost.Server, key);

    public CallInvoker Gateway(string? key) => Invoker(GatewayHost.Server, key);

    public CallInvoker Reporting(string? key) => Invoker(ReportingHost.Server, key);

    public CallInvoker Invoker(TestServer server, string? key) => key is null ? Channel(server).CreateCallInvoker() : Channel(server).WithBearer(key);

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await _services.DisposeAsync();
    }
}
