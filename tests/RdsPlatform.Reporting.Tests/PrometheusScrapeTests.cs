using Grpc.Net.Client;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Reporting.Grpc;
using RdsPlatform.Testing;
using LicenseServerService = RdsPlatform.LicenseServer.Grpc.LicenseServerService;

namespace RdsPlatform.Reporting.Tests;

/// <summary>Reporting and a license server on real sockets; reporting's management port is scraped after a real report.</summary>
[Collection(AloneInProcess.Name)]
public sealed class PrometheusScrapeTests : IAsyncLifetime
{
    private readonly ServiceFarm _services = new("rds-kestrel-tests", onKestrel: true);

    [Fact]
    public async Task ReportCountsAndDurationsAreScrapedWithoutAnApiKey()
    {
        var licenseServer = _services.Start<LicenseServerService>("license-server").Addresses!;
        var reporting = _services.Start<ReportingService>("reporting",
            s => s.Set("Reporting:LicenseServerAddress", licenseServer.Grpc.ToString())).Addresses!;
        using var channel = GrpcChannel.ForAddress(reporting.Grpc);
        var client = new Contracts.Reporting.V1.Reporting.ReportingClient(channel.WithRoleKeys(typeof(ReportingService)));

        await client.GenerateReportAsync(new GenerateReportRequest { Kind = ReportKind.Summary }, deadline: DateTime.UtcNow.AddSeconds(30));

        using var http = new HttpClient();
        var scrape = await http.GetStringAsync(new Uri(reporting.Management, "/metrics"));
        Assert.Matches("rds_reports_generated_total\\{[^}]*kind=\"summary\"[^}]*\\} 1", scrape);
        Assert.Matches("rds_reports_generation_duration_seconds_count\\{[^}]*kind=\"summary\"[^}]*\\} 1", scrape);
        Assert.True(Scrape.Has(scrape, "rds_reports_generation_duration_seconds_bucket"), scrape);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _services.DisposeAsync();
}
