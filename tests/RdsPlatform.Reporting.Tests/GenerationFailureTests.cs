using Grpc.Core;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.Reporting.Tests;

public class GenerationFailureTests
{
    [Fact]
    public async Task LicenseServerLostMidStreamLeavesNoHalfReport()
    {
        await using var fake = await FakeLicenseServer.StartAsync(count: 100, failAfter: 50);
        await using var hosts = TestHosts.Start();
        var folder = Path.Combine(hosts.Folder, "fake-backed");
        var reporting = hosts.StartReporting(folder, licenseServerHandler: () => fake.GetTestServer().CreateHandler());

        var error = await Assert.ThrowsAsync<RpcException>(() => reporting.GenerateReportAsync(
            new GenerateReportRequest { Kind = ReportKind.PerDevice }).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("no report was stored", error.Status.Detail);
        Assert.Empty((await reporting.ListReportsAsync(new ListReportsRequest())).Reports);
        Assert.Equal(0L, CountRows(Path.Combine(folder, "reporting.db"), "report_entries"));
    }

    [Fact]
    public async Task StreamOfManyCalsIsStoredCompletely()
    {
        await using var fake = await FakeLicenseServer.StartAsync(count: 20_000);
        await using var hosts = TestHosts.Start();
        var reporting = hosts.StartReporting(Path.Combine(hosts.Folder, "fake-backed"), licenseServerHandler: () => fake.GetTestServer().CreateHandler());

        var report = await reporting.GenerateAsync(ReportKind.PerDevice);
        var last = await reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId, PageSize = 1000, PageToken = TokenAfter(report.ReportId, 19_500) });

        Assert.Equal(20_000, report.EntryCount);
        Assert.Equal(20_000, report.Totals["temporary"]);
        Assert.Equal(500, last.Entries.Count);
        Assert.Equal("HW-0000019999", last.Entries[^1].PerDevice.HardwareId);
    }

    private static string TokenAfter(string reportId, long ordinal) => Grpc.PageTokens.ForEntries(reportId, ordinal);

    private static long CountRows(string database, string table)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }
}
