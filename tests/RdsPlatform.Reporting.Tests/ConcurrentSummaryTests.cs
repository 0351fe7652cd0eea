using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.Reporting.Tests;

/// <summary>Many Summary generations at once all complete, each stored with the farm's figures, none lost or mixed up.</summary>
public sealed class ConcurrentSummaryTests
{
    [Fact]
    public async Task FiftyConcurrentSummaryReportsAllCompleteWithTheFarmsFigures()
    {
        await using var hosts = TestHosts.Start();
        await SummaryFromCountsTests.SeedMixedFarmAsync(hosts.LicenseServer);
        var expected = (await hosts.Reporting.AllEntriesAsync((await hosts.Reporting.GenerateAsync(ReportKind.Summary)).ReportId)).Select(e => e.Summary).ToList();

        var reports = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            hosts.Reporting.GenerateAsync(ReportKind.Summary, domain: i % 2 == 0 ? "" : "CONTOSO")));

        Assert.Equal(50, reports.Select(r => r.ReportId).Distinct().Count());
        foreach (var report in reports.Where(r => r.Domain.Length == 0))
        {
            Assert.Equal(expected, (await hosts.Reporting.AllEntriesAsync(report.ReportId)).Select(e => e.Summary));
        }

        Assert.All(reports.Where(r => r.Domain.Length == 0), r => Assert.Equal((3L, 2L), (r.Totals["temporary"], r.Totals["overused"])));
        Assert.All(reports.Where(r => r.Domain == "CONTOSO"), r => Assert.Equal((3L, 1L), (r.Totals["temporary"], r.Totals["overused"])));
        Assert.Equal(51, (await hosts.Reporting.ListReportsAsync(new ListReportsRequest { PageSize = 100 })).Reports.Count);
    }
}
