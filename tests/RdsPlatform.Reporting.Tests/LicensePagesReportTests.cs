using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.Reporting.Tests;

/// <summary>A report read from ListIssuedLicensePages lists every CAL of the single stream once, in its order, across pages.</summary>
public sealed class LicensePagesReportTests
{
    [Fact]
    public async Task PerDeviceReportOverSeveralPagesListsTheSingleStreamsCalsInOrder()
    {
        await using var hosts = TestHosts.Start();
        for (var i = 0; i < 2_100; i++)
        {
            await hosts.LicenseServer.ConnectDeviceAsync($"hw-{i:D5}", $"PC-{i:D5}", signIn: false);
        }

        var report = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice);
        var entries = await hosts.Reporting.AllEntriesAsync(report.ReportId);
        var listed = new List<string>();
        await foreach (var license in hosts.LicenseServer.ListIssuedLicenses(new ListIssuedLicensesRequest { CalType = CalType.PerDevice }).ResponseStream.ReadAllAsync())
        {
            listed.Add(license.Subject);
        }

        Assert.Equal(2_100, listed.Count);
        Assert.Equal(listed, entries.Select(e => e.PerDevice.HardwareId));
        Assert.Equal(2_100, report.Totals["temporary"]);
    }
}
