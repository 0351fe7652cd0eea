using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Reporting.Grpc;
using RdsPlatform.Testing;
using LicenseServerService = RdsPlatform.LicenseServer.Grpc.LicenseServerService;
using ReportingClient = RdsPlatform.Contracts.Reporting.V1.Reporting.ReportingClient;

using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.Reporting.Tests;

/// <summary>
/// A license server and a reporting service in process, each with its own SQLite file in a fresh folder, sharing
/// one fake clock. The reporting service reaches the license server through the test server's handler.
/// </summary>
public sealed class TestHosts : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    private TestHosts(string folder, FakeTimeProvider clock)
    {
        Folder = folder;
        Clock = clock;
    }

    public string Folder { get; }

    public FakeTimeProvider Clock { get; }

    public WebApplicationFactory<LicenseServerService> LicenseServerHost { get; private set; } = null!;

    public LicenseServerClient LicenseServer { get; private set; } = null!;

    public ReportingClient Reporting { get; private set; } = null!;

    /// <summary>The services of the reporting host started last.</summary>
    public IServiceProvider ReportingServices { get; private set; } = null!;

    public static TestHosts Start(string scope = "Domain", string? cacheConnectionString = null, string? reportingFolder = null,
        string? licenseServerAddress = null, int? complianceCacheSeconds = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "rds-reporting-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var hosts = new TestHosts(folder, new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero)));
        hosts.StartLicenseServer(scope);
        hosts.Reporting = hosts.StartReporting(reportingFolder ?? Path.Combine(folder, "reporting"), cacheConnectionString, licenseServerAddress, complianceCacheSeconds);
        return hosts;
    }

    /// <summary>Another reporting host (a restart, or a replica) on the given folder.</summary>
    public ReportingClient StartReporting(string dataDirectory, string? cacheConnectionString = null, string? licenseServerAddress = null,
        int? complianceCacheSeconds = null, Func<HttpMessageHandler>? licenseServerHandler = null)
    {
        var factory = new WebApplicationFactory<ReportingService>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.UseSetting("Storage:DataDirectory", dataDirectory);
            web.UseTestKeys();
            web.UseSetting("Reporting:LicenseServerAddress", licenseServerAddress ?? "http://localhost");
            web.UseSetting("Reporting:InsertBatchSize", "7");
            if (complianceCacheSeconds is { } seconds)
            {
                web.UseSetting("Reporting:ComplianceCacheSeconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (cacheConnectionString is not null)
            {
                web.UseSetting("ConnectionStrings:cache", cacheConnectionString);
            }

            web.ConfigureTestServices(services =>
            {
                services.AddSingleton<TimeProvider>(Clock);
                if (licenseServerAddress is null)
                {
                    services.AddGrpcClient<LicenseServerClient>()
                        .ConfigurePrimaryHttpMessageHandler(licenseServerHandler ?? (() => LicenseServerHost.Server.CreateHandler()));
                }
            });
        });
        _owned.Add(factory);
        var client = new ReportingClient(Channel(factory).WithRoleKeys(typeof(ReportingService)));
        ReportingServices = factory.Services;
        return client;
    }

    public async Task StopReportingHostsAsync()
    {
        foreach (var owned in _owned.OfType<WebApplicationFactory<ReportingService>>().ToList())
        {
            await owned.DisposeAsync();
            _owned.Remove(owned);
        }
    }

    private void StartLicenseServer(string scope)
    {
        LicenseServerHost = new WebApplicationFactory<LicenseServerService>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.UseSetting("Storage:DataDirectory", Path.Combine(Folder, "license-server"));
            web.UseTestKeys();
            web.UseSetting("LicenseServer:Version", "2025");
            web.UseSetting("LicenseServer:Scope", scope);
            web.UseSetting("LicenseServer:Domain", "CONTOSO");
            web.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        });
        _owned.Add(LicenseServerHost);
        LicenseServer = new LicenseServerClient(Channel(LicenseServerHost).WithRoleKeys(typeof(LicenseServerService)));
    }

    private static GrpcChannel Channel<T>(WebApplicationFactory<T> factory) where T : class =>
        GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = factory.Server.CreateHandler() });

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // SQLite's pool may still hold a file for a moment; the temp folder is cleaned by the OS later.
        }
    }
}
