using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Reporting.Generation;
using RdsPlatform.Testing;

namespace RdsPlatform.Reporting.Tests;

/// <summary>
/// A summary is computed from the license server's counts (CountIssuedLicenses), not by streaming every CAL, and the
/// two give the same pools; a license server without that call is still summarised, from its stream.
/// </summary>
public sealed class SummaryFromCountsTests
{
    [Fact]
    public async Task SummaryFromTheLicenseServersCountsEqualsTheSummaryFromStreamingEveryCal()
    {
        await using var hosts = TestHosts.Start();
        await SeedMixedFarmAsync(hosts.LicenseServer);
        var reader = hosts.ReportingServices.GetRequiredService<LicenseServerReader>();
        var server = await reader.GetServerAsync(CancellationToken.None);

        foreach (var domain in new[] { "", "CONTOSO", "fabrikam", "NOWHERE" })
        {
            var fromCounts = await SummaryAggregator.CollectAsync(reader, server, domain, CancellationToken.None);
            var fromStream = await SummaryAggregator.CollectByStreamingAsync(reader, server, domain, CancellationToken.None);

            Assert.Equal(fromStream, fromCounts);
        }

        var all = await SummaryAggregator.CollectAsync(reader, server, "", CancellationToken.None);
        Assert.Equal(3L, all.Sum(p => p.Temporary));
        Assert.Equal(2L, all.Sum(p => p.Overused));
        var contoso = await SummaryAggregator.CollectAsync(reader, server, "CONTOSO", CancellationToken.None);
        Assert.Equal(1L, contoso.Sum(p => p.Overused));
    }

    [Fact]
    public async Task SummaryOfALicenseServerWithoutCountIssuedLicensesIsCountedFromItsStream()
    {
        await using var fake = await FakeLicenseServer.StartAsync(count: 1_234);
        await using var hosts = TestHosts.Start();
        var reporting = hosts.StartReporting(Path.Combine(hosts.Folder, "fake-backed"), licenseServerHandler: () => fake.GetTestServer().CreateHandler());

        var report = await reporting.GenerateAsync(ReportKind.Summary);

        Assert.Equal(1_234L, report.Totals["temporary"]);
        Assert.Equal(0L, report.Totals["overused"]);
    }

    /// <summary>Devices with permanent and temporary CALs, and OverUsed users of two domains (one Per User seat for three users).</summary>
    internal static async Task SeedMixedFarmAsync(Contracts.Licensing.V1.LicenseServer.LicenseServerClient server)
    {
        await server.ActivateAsync();
        await server.InstallAsync(CalType.PerDevice, ProductVersion._2022, 10);
        await server.InstallAsync(CalType.PerUser, ProductVersion._2022, 1);
        for (var i = 0; i < 4; i++)
        {
            await server.ConnectDeviceAsync($"HW-{i}", $"PC-{i}");
        }

        for (var i = 0; i < 3; i++)
        {
            await server.ConnectDeviceAsync($"HW-TEMP-{i}", $"PC-TEMP-{i}", signIn: false);
        }

        await server.SignInUserAsync("CONTOSO", "alice");
        await server.SignInUserAsync("CONTOSO", "carol");
        await server.SignInUserAsync("FABRIKAM", "bob");
    }
}
