using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using RdsPlatform.Reporting.Grpc;
using RdsPlatform.SessionHost.Grpc;
using RdsPlatform.SessionHost.LicenseServers;
using RdsPlatform.Testing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;
using LicenseServerService = RdsPlatform.LicenseServer.Grpc.LicenseServerService;

namespace RdsPlatform.Security.Tests;

/// <summary>
/// The three services in process with authentication on and the well-known test keys: a license server on a real
/// SQLite file, a gateway and a reporting service that reach it through the test server with their own keys, and
/// one fake clock for all three.
/// </summary>
public sealed class Platform : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rds-security-tests", Guid.NewGuid().ToString("N"));
    private readonly List<GrpcChannel> _channels = [];

    /// <param name="secondLicenseServer">Settings of a second license server, reached by the gateway as "license-server-2"; none when null.</param>
    public Platform(IDictionary<string, string?>? licenseServerSettings = null, IDictionary<string, string?>? allServiceSettings = null,
        IDictionary<string, string?>? secondLicenseServer = null)
    {
        Directory.CreateDirectory(_root);
        LicenseServerHost = new WebApplicationFactory<LicenseServerService>().WithWebHostBuilder(web =>
        {
            Common(web, "license-server", allServiceSettings);
            web.UseSetting("LicenseServer:Version", "2025");
            foreach (var (key, value) in licenseServerSettings ?? new Dictionary<string, string?>())
            {
                web.UseSetting(key, value);
            }
        });
        if (secondLicenseServer is not null)
        {
            SecondLicenseServerHost = new WebApplicationFactory<LicenseServerService>().WithWebHostBuilder(web =>
            {
                Common(web, "license-server-2", allServiceSettings);
                foreach (var (key, value) in secondLicenseServer)
                {
                    web.UseSetting(key, value);
                }
            });
        }

        GatewayHost = new WebApplicationFactory<SessionHostGatewayService>().WithWebHostBuilder(web =>
        {
            Common(web, "gateway", allServiceSettings);
            web.UseSetting("Gateway:LicenseServerRetryAfter", "00:00:00");
            web.UseSetting("Gateway:LicenseServerTimeout", "00:00:15");
            web.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<ILicenseServerChannelFactory>(new InProcessLicenseServer(this))));
        });
        ReportingHost = new WebApplicationFactory<ReportingService>().WithWebHostBuilder(web =>
        {
            Common(web, "reporting", allServiceSettings);
            web.UseSetting("Reporting:LicenseServerAddress", "http://localhost");
            web.ConfigureTestServices(services => services.AddGrpcClient<LicenseServerClient>()
                .ConfigurePrimaryHttpMessageHandler(() => LicenseServerHost.Server.CreateHandler()));
        });
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    public WebApplicationFactory<LicenseServerService> LicenseServerHost { get; }

    public WebApplicationFactory<LicenseServerService>? SecondLicenseServerHost { get; }

    public WebApplicationFactory<SessionHostGatewayService> GatewayHost { get; }

    public WebApplicationFactory<ReportingService> ReportingHost { get; }

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

        await ReportingHost.DisposeAsync();
        await GatewayHost.DisposeAsync();
        await LicenseServerHost.DisposeAsync();
        if (SecondLicenseServerHost is not null)
        {
            await SecondLicenseServerHost.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold a pooled handle for a moment; the temp folder is cleaned by the OS.
        }
    }

    private void Common(IWebHostBuilder web, string name, IDictionary<string, string?>? settings)
    {
        web.UseEnvironment("Development");
        web.UseTestKeys();
        web.UseSetting("Storage:DataDirectory", Path.Combine(_root, name));
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            web.UseSetting(key, value);
        }

        web.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)));
    }

    /// <summary>"license-server-2" is the second license server; every other name the gateway resolves is the first.</summary>
    private sealed class InProcessLicenseServer(Platform platform) : ILicenseServerChannelFactory
    {
        public GrpcChannel Create(Uri address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = (address.Host == "license-server-2" && platform.SecondLicenseServerHost is { } second ? second : platform.LicenseServerHost).Server.CreateHandler(),
            DisposeHttpClient = true,
        });
    }
}
