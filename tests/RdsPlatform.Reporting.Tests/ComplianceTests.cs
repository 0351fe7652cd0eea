using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.Reporting.Tests;

public class ComplianceTests(GarnetFixture garnet) : IClassFixture<GarnetFixture>
{
    [Fact]
    public async Task ComplianceSummaryAgreesWithTheKeyPacksAndFlagsOverUsedAndLimitedPools()
    {
        await using var hosts = TestHosts.Start();
        var server = hosts.LicenseServer;
        await server.ActivateAsync();
        await server.InstallAsync(CalType.PerDevice, ProductVersion._2022, 10);
        await server.InstallAsync(CalType.PerDevice, ProductVersion._2022, 10);
        await server.InstallAsync(CalType.PerUser, ProductVersion._2025, 1);
        for (var i = 0; i < 18; i++)
        {
            await server.ConnectDeviceAsync($"HW-{i}", $"PC-{i}");
        }

        await server.RequestLicenseAsync(new RequestLicenseRequest
        {
            SessionHostId = Seed.HostId, SessionHostVersion = ProductVersion._2025, CalType = CalType.PerUser, UserDomain = "CONTOSO", UserName = "alice",
        });
        await server.RequestLicenseAsync(new RequestLicenseRequest
        {
            SessionHostId = Seed.HostId, SessionHostVersion = ProductVersion._2025, CalType = CalType.PerUser, UserDomain = "CONTOSO", UserName = "bob",
        });

        var summary = await hosts.Reporting.GetComplianceSummaryAsync(new GetComplianceSummaryRequest());
        var packs = (await server.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks;

        foreach (var pool in summary.Pools)
        {
            var poolPacks = packs.Where(p => p.CalType == pool.CalType && p.ProductVersion == pool.ProductVersion).ToList();
            Assert.Equal(poolPacks.Sum(p => p.Total), pool.Installed);
            Assert.Equal(poolPacks.Sum(p => p.Issued), pool.Issued);
            Assert.Equal(poolPacks.Sum(p => p.Available), pool.Available);
        }

        var devices = summary.Pools.Single(p => p.CalType == CalType.PerDevice);
        Assert.Equal((20L, 18L, 2L, Availability.Limited), (devices.Installed, devices.Issued, devices.Available, devices.Availability));
        var users = summary.Pools.Single(p => p.CalType == CalType.PerUser);
        Assert.Equal((1L, 1L, Availability.None), (users.Installed, users.Overused, users.Availability));
        Assert.True(summary.OverUsed);
        Assert.True(summary.Limited);
        Assert.Contains(summary.Warnings, w => w.Contains("RDS 2025 Per User CALs are over-used: 1 user(s)", StringComparison.Ordinal));
        Assert.Contains(summary.Warnings, w => w.Contains("RDS 2022 Per Device CALs are running low: 2 of 20", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LiveSummaryAndStoredSummaryReportOfOneFarmAgreeOnEveryField()
    {
        await using var hosts = TestHosts.Start();
        var server = hosts.LicenseServer;
        await server.ActivateAsync();
        await server.InstallAsync(CalType.PerDevice, ProductVersion._2022, 10);
        await server.InstallAsync(CalType.PerUser, ProductVersion._2022, 1);
        await server.InstallAsync(CalType.PerUser, ProductVersion._2016, 50);
        for (var i = 0; i < 9; i++)
        {
            await server.ConnectDeviceAsync($"HW-{i}", $"PC-{i}");
        }

        await server.ConnectDeviceAsync("HW-TEMP-1", "PC-TEMP-1", signIn: false);
        await server.ConnectDeviceAsync("HW-TEMP-2", "PC-TEMP-2", signIn: false);
        await server.SignInUserAsync("CONTOSO", "alice");
        await server.SignInUserAsync("FABRIKAM", "bob");

        var live = await hosts.Reporting.GetComplianceSummaryAsync(new GetComplianceSummaryRequest());
        var report = await hosts.Reporting.GenerateAsync(ReportKind.Summary);
        var stored = (await hosts.Reporting.AllEntriesAsync(report.ReportId)).Select(e => e.Summary).ToList();

        Assert.Equal(stored, live.Pools);
        var devices = live.Pools.Single(p => p.CalType == CalType.PerDevice);
        Assert.Equal((10L, 9L, 1L, 2L, Availability.Limited), (devices.Installed, devices.Issued, devices.Available, devices.Temporary, devices.Availability));
        var users = live.Pools.Single(p => p.CalType == CalType.PerUser && p.ProductVersion == ProductVersion._2022);
        Assert.Equal((1L, 1L, Availability.None), (users.Installed, users.Overused, users.Availability));
        Assert.Equal(live.Pools.Sum(p => p.Temporary), report.Totals["temporary"]);
        Assert.Equal(live.Pools.Sum(p => p.Overused), report.Totals["overused"]);
        Assert.Equal(live.Pools.Sum(p => p.Available), report.Totals["available"]);
        Assert.True(live.OverUsed);
        Assert.True(live.Limited);
    }

    [Fact]
    public async Task HealthyPoolsRaiseNoWarnings()
    {
        await using var hosts = TestHosts.Start();
        await hosts.LicenseServer.ActivateAsync();
        await hosts.LicenseServer.InstallAsync(CalType.PerUser, ProductVersion._2022, 50);

        var summary = await hosts.Reporting.GetComplianceSummaryAsync(new GetComplianceSummaryRequest());

        Assert.Equal(Availability.Available, Assert.Single(summary.Pools).Availability);
        Assert.False(summary.OverUsed);
        Assert.False(summary.Limited);
        Assert.Empty(summary.Warnings);
    }

    [Fact]
    public async Task ComplianceSummaryIsSharedThroughTheCacheForAFewSeconds()
    {
        await garnet.FlushAsync();
        await using var hosts = TestHosts.Start(cacheConnectionString: garnet.ConnectionString, complianceCacheSeconds: 5);
        var replica = hosts.StartReporting(Path.Combine(hosts.Folder, "replica"), garnet.ConnectionString, complianceCacheSeconds: 5);
        await hosts.LicenseServer.ActivateAsync();
        await hosts.LicenseServer.InstallAsync(CalType.PerDevice, ProductVersion._2022, 10);

        var first = await hosts.Reporting.GetComplianceSummaryAsync(new GetComplianceSummaryRequest());
        await hosts.LicenseServer.InstallAsync(CalType.PerDevice, ProductVersion._2022, 5);
        var fromReplica = await replica.GetComplianceSummaryAsync(new GetComplianceSummaryRequest());
        hosts.Clock.Advance(TimeSpan.FromSeconds(6));
        var refreshed = await replica.GetComplianceSummaryAsync(new GetComplianceSummaryRequest());

        Assert.Equal(10, Assert.Single(first.Pools).Installed);
        Assert.Equal(first, fromReplica);
        Assert.Equal(15, Assert.Single(refreshed.Pools).Installed);
    }

    [Fact]
    public async Task ComplianceSummaryIsCachedInProcessWithoutACache()
    {
        await using var hosts = TestHosts.Start(complianceCacheSeconds: 5);
        await hosts.LicenseServer.ActivateAsync();
        await hosts.LicenseServer.InstallAsync(CalType.PerUser, ProductVersion._2022, 10);

        var first = await hosts.Reporting.GetComplianceSummaryAsync(new GetComplianceSummaryRequest());
        await hosts.LicenseServer.InstallAsync(CalType.PerUser, ProductVersion._2022, 5);
        var cached = await hosts.Reporting.GetComplianceSummaryAsync(new GetComplianceSummaryRequest());
        hosts.Clock.Advance(TimeSpan.FromSeconds(6));
        var refreshed = await hosts.Reporting.GetComplianceSummaryAsync(new GetComplianceSummaryRequest());

        Assert.Equal(first, cached);
        Assert.Equal(15, Assert.Single(refreshed.Pools).Installed);
    }
}
