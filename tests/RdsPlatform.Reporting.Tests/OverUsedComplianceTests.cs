using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.Reporting.Tests;

/// <summary>R9: the compliance summary shows no OverUsed CAL of a pool once that pool's freed seat took it.</summary>
public class OverUsedComplianceTests
{
    [Fact]
    public async Task ComplianceShowsNoOverUsedCalOnceItsExtensionMovedItIntoTheFreedSeat()
    {
        await using var hosts = TestHosts.Start(complianceCacheSeconds: 0);
        var server = hosts.LicenseServer;
        await server.ActivateAsync();
        await server.InstallAsync(CalType.PerUser, ProductVersion._2022, 1);
        await server.SignInUserAsync("CONTOSO", "xavier");
        hosts.Clock.Advance(TimeSpan.FromDays(70));
        var overUsed = await server.SignInUserAsync("CONTOSO", "yvonne");
        var before = await hosts.Reporting.GetComplianceSummaryAsync(new GetComplianceSummaryRequest());
        // Within 7 days of yvonne's expiry; xavier's seat has been free since day 90 (R11).
        hosts.Clock.Advance(TimeSpan.FromDays(54));

        await server.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = overUsed.License.LicenseId, SessionHostId = Seed.HostId });
        var after = await hosts.Reporting.GetComplianceSummaryAsync(new GetComplianceSummaryRequest());

        Assert.True(before.OverUsed);
        Assert.False(after.OverUsed);
        var pool = after.Pools.Single(p => p.CalType == CalType.PerUser);
        Assert.Equal((1L, 0L, 1L, 0L), (pool.Installed, pool.Overused, pool.Issued, pool.Available));
        Assert.DoesNotContain(after.Warnings, w => w.Contains("over-used", StringComparison.Ordinal));
    }
}
