using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.ServiceDefaults.Clock;
using RdsPlatform.Testing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>The license server on real sockets, scraped by Prometheus on its management port after real traffic.</summary>
[Collection(AloneInProcess.Name)]
public sealed class PrometheusScrapeTests : IAsyncLifetime
{
    private readonly ServiceFarm _services = new("rds-kestrel-tests", onKestrel: true);
    private readonly ServiceAddresses _addresses;
    private readonly GrpcChannel _channel;

    public PrometheusScrapeTests()
    {
        _addresses = _services.Start<LicenseServerService>("license-server", s => s.Set("Clock:Mode", "Simulated")).Addresses!;
        _channel = GrpcChannel.ForAddress(_addresses.Grpc);
    }

    [Fact]
    public async Task EveryLicensingSeriesIsScrapedWithoutAnApiKeyAfterRealTraffic()
    {
        var client = new LicenseServerClient(_channel.WithRoleKeys(typeof(LicenseServerService)));
        await client.ActivateAsync();
        await client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 5));
        await client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), CalType.PerUser, count: 1));
        var permanent = await client.PermanentDeviceAsync("hw-1");
        await client.PermanentDeviceAsync("hw-2");
        await client.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = permanent.License.LicenseId });
        await client.RequestLicenseAsync(Requests.User("alice"));
        await client.RequestLicenseAsync(Requests.User("bob"));
        using var http = new HttpClient();
        var beforeExpiry = await http.GetStringAsync(new Uri(_addresses.Management, "/metrics"));
        Assert.Matches("rds_cal_overused\\{[^}]*cal_type=\"per_user\",version=\"2022\"\\} 1", beforeExpiry);
        // Past every permanent CAL's expiry: the next write reclaims hw-2's seat.
        await new Clock.ClockClient(_channel.WithRoleKeys(typeof(ClockService)))
            .AdvanceAsync(new AdvanceRequest { By = Duration.FromTimeSpan(TimeSpan.FromDays(100)) });
        await client.RequestLicenseAsync(Requests.Device("hw-3"));

        var scrape = await http.GetStringAsync(new Uri(_addresses.Management, "/metrics"));

        foreach (var series in new[]
        {
            "rds_cal_issued_total", "rds_cal_revoked_total", "rds_cal_reclaimed_total",
            "rds_pool_installed", "rds_pool_issued", "rds_pool_available", "rds_cal_overused", "rds_background_lease_held",
        })
        {
            Assert.True(Scrape.Has(scrape, series), $"No {series} in the scrape:\n{scrape}");
        }

        Assert.Matches("rds_pool_installed\\{[^}]*cal_type=\"per_device\"[^}]*\\} 5", scrape);
        // Alone on its SQLite file, the server always does the background work.
        Assert.Matches("(?m)^rds_background_lease_held(\\{[^}]*\\})? 1", scrape);
    }

    [Fact]
    public async Task MetricsAreNotServedOnTheJsonApiPort()
    {
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri(_addresses.HttpApi, "/metrics"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _services.DisposeAsync();
    }
}
