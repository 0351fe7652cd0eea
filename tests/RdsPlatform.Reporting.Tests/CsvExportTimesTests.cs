using System.Globalization;
using System.Text;
using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.Reporting.Tests;

/// <summary>The export's times: UTC, "yyyy-MM-dd HH:mm:ss", a fraction of a second dropped, as RD Licensing Manager shows them.</summary>
public class CsvExportTimesTests
{
    [Fact]
    public async Task PerDeviceTimesAreUtcToTheSecondWithTheFractionDropped()
    {
        await using var hosts = TestHosts.Start();
        hosts.Clock.Advance(TimeSpan.FromMilliseconds(1_999));
        await hosts.LicenseServer.ConnectDeviceAsync("HW-TIME", "PC-TIME", signIn: false);

        var report = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice);
        var entry = Assert.Single(await hosts.Reporting.AllEntriesAsync(report.ReportId)).PerDevice;
        var bytes = await hosts.Reporting.ExportAsync(report.ReportId);
        var row = Csv.Parse(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3))[1];

        Assert.Equal("2026-01-05 09:00:01", row[3]);
        Assert.Equal(entry.ExpiresAt.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), row[4]);
        Assert.NotEqual(row[3], row[4]);
    }
}
