using Microsoft.Extensions.Time.Testing;
using RdsPlatform.Reporting.Grpc;
using RdsPlatform.Testing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;
using LicenseServerService = RdsPlatform.LicenseServer.Grpc.LicenseServerService;
using ReportingClient = RdsPlatform.Contracts.Reporting.V1.Reporting.ReportingClient;

namespace RdsPlatform.Reporting.Tests;

/// <summary>
/// A license server and a reporting service in process from the shared <see cref="ServiceFarm"/>, each with its own SQLite
/// file in a fresh folder, sharing one fake clock. The reporting service reaches the license server through the test server's handler.
/// </summary>
public sealed class TestHosts : IAsyncDisposable
{
    private readonly ServiceFarm _services;
    private readonly List<IServiceHost> _reportingHosts = [];
    private ServiceHost<LicenseServerService> _licenseServer = null!;

    private TestHosts(FakeTimeProvider clock)
    {
        Clock = clock;
        _services = new ServiceFarm("rds-reporting-tests") { Time = clock };
        Directory.CreateDirectory(_services.Root);
    }

    public string Folder => _services.Root;

    public FakeTimeProvider Clock { get; }

    public LicenseServerClient LicenseServer { get; private set; } = null!;

    public ReportingClient Reporting { get; private set; } = null!;

    /// <summary>Settings every reporting host started from now on gets (e.g. its PostgreSQL database).</summary>
    public Dictionary<string, string> ReportingSettings { get; } = [];

    /// <summary>The services of the reporting host started last.</summary>
    public IServiceProvider ReportingServices { get; private set; } = null!;

    public static TestHosts Start(string scope = "Domain", string? cacheConnectionString = null, string? reportingFolder = null,
        string? licenseServerAddress = null, int? complianceCacheSeconds = null)
    {
        var hosts = new TestHosts(new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero)));
        hosts.StartLicenseServer(scope);
        hosts.Reporting = hosts.StartReporting(reportingFolder ?? hosts._services.Folder("reporting"), cacheConnectionString, licenseServerAddress, complianceCacheSeconds);
        return hosts;
    }

    /// <summary>Another reporting host (a restart, or a replica) on the given folder.</summary>
    public ReportingClient StartReporting(string dataDirectory, string? cacheConnectionString = null, string? licenseServerAddress = null,
        int? complianceCacheSeconds = null, Func<HttpMessageHandler>? licenseServerHandler = null)
    {
        var host = _services.Start<ReportingService>("reporting", setup =>
        {
            setup.DataDirectory = dataDirectory;
            setup.Set("Reporting:InsertBatchSize", "7");
            if (complianceCacheSeconds is { } seconds)
            {
                setup.Set("Reporting:ComplianceCacheSeconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (cacheConnectionString is not null)
            {
                setup.Set("ConnectionStrings:cache", cacheConnectionString);
            }

            foreach (var (key, value) in ReportingSettings)
            {
                setup.Set(key, value);
            }

            if (licenseServerAddress is null)
            {
                setup.ReportingReadsLicenseServerThrough(licenseServerHandler ?? _licenseServer.CreateHandler);
            }
            else
            {
                setup.Set("Reporting:LicenseServerAddress", licenseServerAddress);
            }
        });
        _reportingHosts.Add(host);
        ReportingServices = host.Services;
        return new ReportingClient(host.WithRoleKeys(typeof(ReportingService)));
    }

    public async Task StopReportingHostsAsync()
    {
        foreach (var host in _reportingHosts)
        {
            await _services.StopAsync(host);
        }

        _reportingHosts.Clear();
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private void StartLicenseServer(string scope)
    {
        _licenseServer = _services.Start<LicenseServerService>("license-server", setup => setup
            .Set("LicenseServer:Version", "2025")
            .Set("LicenseServer:Scope", scope)
            .Set("LicenseServer:Domain", "CONTOSO"));
        LicenseServer = new LicenseServerClient(_licenseServer.WithRoleKeys(typeof(LicenseServerService)));
    }
}
