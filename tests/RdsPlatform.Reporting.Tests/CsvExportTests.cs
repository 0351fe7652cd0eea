using System.Text;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.Reporting.Tests;

public class CsvExportTests
{
    [Fact]
    public async Task ExportIsRfc4180WithBomAndNeutralisedFormulaCells()
    {
        await using var hosts = TestHosts.Start();
        string[] names = ["plain", "with,comma", "with \"quotes\"", "both, \"mixed\"", "=HYPERLINK(\"x\")", "@SUM(A1)", "+1", "-2", "ünïcode"];
        for (var i = 0; i < names.Length; i++)
        {
            await hosts.LicenseServer.ConnectDeviceAsync($"HW-{i}", names[i], signIn: false);
        }

        var report = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice);
        var bytes = await hosts.Reporting.ExportAsync(report.ReportId);

        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var rows = Csv.Parse(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        Assert.Equal(["Hardware ID", "Computer Name", "Status", "Issued (UTC)", "Expires (UTC)", "CAL Version", "Key Pack ID"], rows[0]);
        Assert.Equal(names.Length + 1, rows.Count);
        var byHardwareId = rows.Skip(1).ToDictionary(r => r[0], r => r);
        Assert.Equal("plain", byHardwareId["HW-0"][1]);
        Assert.Equal("with,comma", byHardwareId["HW-1"][1]);
        Assert.Equal("with \"quotes\"", byHardwareId["HW-2"][1]);
        // Line breaks never reach a report: the license server refuses control characters in names.
        Assert.Equal("both, \"mixed\"", byHardwareId["HW-3"][1]);
        Assert.Equal("'=HYPERLINK(\"x\")", byHardwareId["HW-4"][1]);
        Assert.Equal("'@SUM(A1)", byHardwareId["HW-5"][1]);
        Assert.Equal("'+1", byHardwareId["HW-6"][1]);
        Assert.Equal("'-2", byHardwareId["HW-7"][1]);
        Assert.Equal("ünïcode", byHardwareId["HW-8"][1]);
        Assert.Equal("Temporary", byHardwareId["HW-0"][2]);
        Assert.Equal("Windows Server 2022", byHardwareId["HW-0"][5]);
    }

    [Fact]
    public async Task LargeExportArrivesInChunksOfAbout32KiB()
    {
        await using var hosts = TestHosts.Start();
        await Task.WhenAll(Enumerable.Range(0, 600).Select(i =>
            hosts.LicenseServer.ConnectDeviceAsync($"HARDWARE-ID-{i:D6}", $"WORKSTATION-{i:D6}.corp.contoso.example", signIn: false)));
        var report = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice);

        var chunkSizes = new List<int>();
        var bytes = await hosts.Reporting.ExportAsync(report.ReportId, chunkSizes);

        Assert.True(chunkSizes.Count >= 2, $"Expected several chunks, got {chunkSizes.Count}.");
        Assert.All(chunkSizes.SkipLast(1), size => Assert.InRange(size, 32 * 1024, 40 * 1024));
        var rows = Csv.Parse(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        Assert.Equal(601, rows.Count);
    }

    [Fact]
    public async Task SummaryExportShowsAvailabilityWords()
    {
        await using var hosts = TestHosts.Start();
        await hosts.LicenseServer.ActivateAsync();
        await hosts.LicenseServer.InstallAsync(CalType.PerDevice, ProductVersion._2022, 10);
        var report = await hosts.Reporting.GenerateAsync(ReportKind.Summary);

        var rows = Csv.Parse(Encoding.UTF8.GetString(await hosts.Reporting.ExportAsync(report.ReportId))[1..]);

        Assert.Equal(["CAL Version", "CAL Type", "Installed", "Issued", "Available", "OverUsed", "Temporary", "Availability"], rows[0]);
        Assert.Equal(["Windows Server 2022", "Per Device", "10", "0", "10", "0", "0", "Available"], rows[1]);
    }
}
