using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;

namespace RdsPlatform.SessionHost.Tests;

public sealed class DiagnoseTests
{
    [Fact]
    public async Task MisconfiguredHostReportsEachProblemWithARemedy()
    {
        await using var farm = new Farm(licenseServerVersion: "2022", securityGroup: true, allowedHosts: "rdsh-other");
        await farm.ConfigureAsync("rdsh-2025", LicensingMode.PerDevice, ProductVersion._2025, false, "license-server", "nowhere");
        farm.AdvanceDays(121);

        var report = await farm.Gateway.DiagnoseAsync(new DiagnoseRequest { HostId = "rdsh-2025" });

        var codes = report.Findings.Select(f => f.Code).ToList();
        Assert.Contains("GRACE_PERIOD_EXPIRED", codes);
        Assert.Contains("LICENSE_SERVER_VERSION_INCOMPATIBLE", codes);
        Assert.Contains("LICENSE_SERVER_NOT_ACTIVATED", codes);
        Assert.Contains("HOST_NOT_ALLOWED", codes);
        Assert.Contains("NO_COMPATIBLE_CALS", codes);
        var unreachable = Assert.Single(report.Findings, f => f.Code == "LICENSE_SERVER_UNREACHABLE");
        Assert.Equal("nowhere", unreachable.LicenseServer);
        Assert.All(report.Findings.Where(f => f.Severity >= Severity.Warning), f => Assert.NotEmpty(f.Remediation));
        Assert.Equal(Severity.Error, report.Overall);
    }

    [Fact]
    public async Task HostWithoutModeReportsModeNotConfigured()
    {
        await using var farm = new Farm();
        await farm.ActivateAsync();
        await farm.ConfigureAsync("rdsh-1", LicensingMode.NotConfigured);

        var report = await farm.Gateway.DiagnoseAsync(new DiagnoseRequest { HostId = "rdsh-1" });

        var mode = Assert.Single(report.Findings, f => f.Code == "MODE_NOT_CONFIGURED");
        Assert.Equal(Severity.Warning, mode.Severity);
        Assert.Contains("ConfigureSessionHost", mode.Remediation);
        Assert.Contains(report.Findings, f => f.Code == "LICENSE_SERVER_REACHABLE");
        Assert.Equal(Severity.Warning, report.Overall);
    }
}
