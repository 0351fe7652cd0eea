using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.Reporting.Tests;

public class StorageTests
{
    [Fact]
    public async Task ReportsSurviveARestartOfTheReportingService()
    {
        await using var hosts = TestHosts.Start();
        var folder = Path.Combine(hosts.Folder, "reporting");
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => hosts.LicenseServer.ConnectDeviceAsync($"HW-{i}", $"PC-{i}", signIn: false)));
        var report = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice);
        var before = await hosts.Reporting.AllEntriesAsync(report.ReportId);

        await hosts.StopReportingHostsAsync();
        var restarted = hosts.StartReporting(folder);

        var listed = Assert.Single((await restarted.ListReportsAsync(new ListReportsRequest())).Reports);
        Assert.Equal(report, listed);
        Assert.Equal(before, await restarted.AllEntriesAsync(report.ReportId, pageSize: 3));
        Assert.True(File.Exists(Path.Combine(folder, "reporting.db")));
    }

    [Fact]
    public async Task DeletedReportIsGoneWithItsEntries()
    {
        await using var hosts = TestHosts.Start();
        await hosts.LicenseServer.ConnectDeviceAsync("HW-1", "PC-1", signIn: false);
        var kept = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice);
        var deleted = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice);

        await hosts.Reporting.DeleteReportAsync(new DeleteReportRequest { ReportId = deleted.ReportId });

        Assert.Equal(kept.ReportId, Assert.Single((await hosts.Reporting.ListReportsAsync(new ListReportsRequest())).Reports).ReportId);
        var entries = await Assert.ThrowsAsync<RpcException>(() => hosts.Reporting.GetReportEntriesAsync(
            new GetReportEntriesRequest { ReportId = deleted.ReportId }).ResponseAsync);
        var again = await Assert.ThrowsAsync<RpcException>(() => hosts.Reporting.DeleteReportAsync(
            new DeleteReportRequest { ReportId = deleted.ReportId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, entries.StatusCode);
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
        Assert.Single(await hosts.Reporting.AllEntriesAsync(kept.ReportId));
    }

    [Fact]
    public async Task UnreachableLicenseServerIsUnavailableAndStoresNothing()
    {
        var closedPort = GarnetFixture.FreeTcpPort();
        await using var hosts = TestHosts.Start(licenseServerAddress: $"http://127.0.0.1:{closedPort}");

        var error = await Assert.ThrowsAsync<RpcException>(() => hosts.Reporting.GenerateReportAsync(
            new GenerateReportRequest { Kind = ReportKind.PerDevice }).ResponseAsync);
        var compliance = await Assert.ThrowsAsync<RpcException>(() => hosts.Reporting.GetComplianceSummaryAsync(
            new GetComplianceSummaryRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("license server is unreachable", error.Status.Detail);
        Assert.Equal(StatusCode.Unavailable, compliance.StatusCode);
        Assert.Empty((await hosts.Reporting.ListReportsAsync(new ListReportsRequest())).Reports);
    }
}
