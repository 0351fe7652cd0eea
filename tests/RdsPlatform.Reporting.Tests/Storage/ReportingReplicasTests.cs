using System.Text;
using Grpc.Core;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.Reporting.Tests.Storage;

/// <summary>
/// Two reporting processes on one PostgreSQL database, as behind a load balancer: a report generated on one is listed,
/// paged (with the page tokens the other returned), exported and deleted on the other, and gone from both once deleted.
/// </summary>
public sealed class ReportingReplicasTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task AReportGeneratedOnOneReplicaIsListedPagedExportedAndDeletedOnTheOther()
    {
        await using var hosts = TestHosts.Start();
        for (var i = 0; i < 25; i++)
        {
            await hosts.LicenseServer.ConnectDeviceAsync($"REPLICA-HW-{i:D2}", $"PC-{i:D2}", signIn: false);
        }

        hosts.ReportingSettings["Storage:Provider"] = "Postgres";
        hosts.ReportingSettings["ConnectionStrings:reporting"] = await database.CreateDatabaseAsync("reporting");
        var first = hosts.StartReporting(hosts.Folder + "/reporting-a");
        var second = hosts.StartReporting(hosts.Folder + "/reporting-b");

        var report = await first.GenerateAsync(ReportKind.PerDevice);
        var newer = await first.GenerateAsync(ReportKind.PerDevice);
        var listed = await second.ListReportsAsync(new ListReportsRequest { PageSize = 1 });
        var listedNext = await first.ListReportsAsync(new ListReportsRequest { PageSize = 1, PageToken = listed.NextPageToken });
        var page1 = await second.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId, PageSize = 10 });
        var page2 = await first.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId, PageSize = 10, PageToken = page1.NextPageToken });
        var page3 = await second.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId, PageSize = 10, PageToken = page2.NextPageToken });
        var exported = Encoding.UTF8.GetString(await second.ExportAsync(report.ReportId));
        await second.DeleteReportAsync(new DeleteReportRequest { ReportId = report.ReportId });

        Assert.Equal([newer.ReportId, report.ReportId], listed.Reports.Concat(listedNext.Reports).Select(r => r.ReportId));
        var paged = page1.Entries.Concat(page2.Entries).Concat(page3.Entries).Select(e => e.PerDevice.HardwareId).ToList();
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"REPLICA-HW-{i:D2}").Order(), paged.Order());
        Assert.Equal("", page3.NextPageToken);
        Assert.All(paged, hardwareId => Assert.Contains(hardwareId, exported));
        Assert.DoesNotContain((await first.ListReportsAsync(new ListReportsRequest())).Reports, r => r.ReportId == report.ReportId);
        var gone = await Assert.ThrowsAsync<RpcException>(() => first.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }
}
