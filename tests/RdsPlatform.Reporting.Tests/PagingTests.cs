using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.Reporting.Tests;

public class PagingTests
{
    [Fact]
    public async Task EntriesPageOneAtATimeAndTheLastPageHasNoToken()
    {
        await using var hosts = await StartWithDevicesAsync(3);
        var report = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice);

        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await hosts.Reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId, PageSize = 1, PageToken = token });
            Assert.Equal(3, page.Total);
            seen.AddRange(page.Entries.Select(e => e.PerDevice.HardwareId));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(3, pages);
        Assert.Equal(["HW-0", "HW-1", "HW-2"], seen.Order());
    }

    [Fact]
    public async Task PageSizeThatDividesTheReportExactlyEndsWithoutAnEmptyPage()
    {
        await using var hosts = await StartWithDevicesAsync(4);
        var report = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice);

        var first = await hosts.Reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId, PageSize = 2 });
        var second = await hosts.Reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId, PageSize = 2, PageToken = first.NextPageToken });
        var whole = await hosts.Reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId, PageSize = 4 });

        Assert.Equal(2, first.Entries.Count);
        Assert.NotEmpty(first.NextPageToken);
        Assert.Equal(2, second.Entries.Count);
        Assert.Empty(second.NextPageToken);
        Assert.Equal(4, whole.Entries.Count);
        Assert.Empty(whole.NextPageToken);
    }

    [Fact]
    public async Task EmptyReportHasNoEntriesAndNoToken()
    {
        await using var hosts = TestHosts.Start();
        var report = await hosts.Reporting.GenerateAsync(ReportKind.PerUser);

        var page = await hosts.Reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId });

        Assert.Equal(0, report.EntryCount);
        Assert.Empty(page.Entries);
        Assert.Empty(page.NextPageToken);
        Assert.Equal(0, page.Total);
    }

    [Fact]
    public async Task EntriesPageSizeIsCappedAtOneThousand()
    {
        await using var hosts = await StartWithDevicesAsync(1003);
        var report = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice);

        var first = await hosts.Reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId, PageSize = 5000 });
        var rest = await hosts.Reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId, PageSize = 5000, PageToken = first.NextPageToken });
        var byDefault = await hosts.Reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId });

        Assert.Equal(1003, report.EntryCount);
        Assert.Equal(1000, first.Entries.Count);
        Assert.Equal(3, rest.Entries.Count);
        Assert.Empty(rest.NextPageToken);
        Assert.Equal(100, byDefault.Entries.Count);
        Assert.Equal(1003, first.Entries.Concat(rest.Entries).Select(e => e.PerDevice.HardwareId).Distinct().Count());
    }

    [Fact]
    public async Task ReportsAreListedNewestFirstAndThePageSizeIsCappedAtOneHundred()
    {
        await using var hosts = TestHosts.Start();
        var ids = new List<string>();
        for (var i = 0; i < 102; i++)
        {
            ids.Add((await hosts.Reporting.GenerateAsync(i == 50 ? ReportKind.Summary : ReportKind.PerDevice)).ReportId);
        }

        var first = await hosts.Reporting.ListReportsAsync(new ListReportsRequest { PageSize = 500 });
        var last = await hosts.Reporting.ListReportsAsync(new ListReportsRequest { PageSize = 500, PageToken = first.NextPageToken });
        var byDefault = await hosts.Reporting.ListReportsAsync(new ListReportsRequest());
        var summaries = await hosts.Reporting.ListReportsAsync(new ListReportsRequest { Kind = ReportKind.Summary });

        Assert.Equal(100, first.Reports.Count);
        Assert.Equal(ids[101], first.Reports[0].ReportId);
        Assert.Equal(2, last.Reports.Count);
        Assert.Empty(last.NextPageToken);
        Assert.Equal(ids.AsEnumerable().Reverse(), first.Reports.Concat(last.Reports).Select(r => r.ReportId));
        Assert.Equal(20, byDefault.Reports.Count);
        Assert.Equal(ids[50], Assert.Single(summaries.Reports).ReportId);
        Assert.Empty(summaries.NextPageToken);
    }

    [Fact]
    public async Task BadOrForeignPageTokensAreRefused()
    {
        await using var hosts = await StartWithDevicesAsync(2);
        var one = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice);
        var two = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice);
        var page = await hosts.Reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = one.ReportId, PageSize = 1 });

        var garbage = await Assert.ThrowsAsync<RpcException>(() => hosts.Reporting.GetReportEntriesAsync(
            new GetReportEntriesRequest { ReportId = one.ReportId, PageToken = "not-a-token!" }).ResponseAsync);
        var foreign = await Assert.ThrowsAsync<RpcException>(() => hosts.Reporting.GetReportEntriesAsync(
            new GetReportEntriesRequest { ReportId = two.ReportId, PageToken = page.NextPageToken }).ResponseAsync);
        var listing = await Assert.ThrowsAsync<RpcException>(() => hosts.Reporting.ListReportsAsync(
            new ListReportsRequest { PageToken = page.NextPageToken }).ResponseAsync);
        var negative = await Assert.ThrowsAsync<RpcException>(() => hosts.Reporting.ListReportsAsync(
            new ListReportsRequest { PageSize = -1 }).ResponseAsync);

        Assert.All([garbage, foreign, listing, negative], e => Assert.Equal(StatusCode.InvalidArgument, e.StatusCode));
        Assert.Contains("page_token", garbage.Status.Detail);
        Assert.Contains("page_size", negative.Status.Detail);
    }

    [Fact]
    public async Task UnknownReportIsNotFound()
    {
        await using var hosts = TestHosts.Start();

        var entries = await Assert.ThrowsAsync<RpcException>(() => hosts.Reporting.GetReportEntriesAsync(
            new GetReportEntriesRequest { ReportId = "no-such-report" }).ResponseAsync);
        var export = await Assert.ThrowsAsync<RpcException>(() => hosts.Reporting.ExportAsync("no-such-report"));
        var delete = await Assert.ThrowsAsync<RpcException>(() => hosts.Reporting.DeleteReportAsync(
            new DeleteReportRequest { ReportId = "no-such-report" }).ResponseAsync);

        Assert.All([entries, export, delete], e => Assert.Equal(StatusCode.NotFound, e.StatusCode));
        Assert.Contains("no-such-report", entries.Status.Detail);
    }

    private static async Task<TestHosts> StartWithDevicesAsync(int devices)
    {
        var hosts = TestHosts.Start();
        // Temporary CALs need no activation or pack: the quickest real rows a license server makes.
        var batches = Enumerable.Range(0, devices).Chunk(50);
        foreach (var batch in batches)
        {
            await Task.WhenAll(batch.Select(i => hosts.LicenseServer.ConnectDeviceAsync($"HW-{i}", $"PC-{i}", signIn: false)));
        }

        return hosts;
    }
}
