using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>
/// A license server that stopped answering is skipped for <c>Gateway:LicenseServerRetryAfter</c> on the gateway's clock (its
/// circuit breaker), then tried again; an administrator's diagnosis asks it even while it is skipped.
/// </summary>
public sealed class LicenseServerSkipTests
{
    private static async Task<Farm> FarmWithASkippedServerAsync()
    {
        var farm = new Farm();
        farm.GatewaySettings["Gateway:LicenseServerRetryAfter"] = "00:00:30";
        await farm.RestartGatewayAsync();
        await farm.ConfigureAsync("rdsh-1", LicensingMode.PerDevice);
        Assert.Equal(ReasonCode.TemporaryCalIssued, (await farm.ConnectDeviceAsync("rdsh-1", "dev-answered")).Reason);

        farm.LicenseServerDown = true;
        Assert.Equal(ReasonCode.GracePeriod, (await farm.ConnectDeviceAsync("rdsh-1", "dev-during-outage")).Reason);
        farm.LicenseServerDown = false;
        return farm;
    }

    [Fact]
    public async Task AServerThatStoppedAnsweringIsSkippedUntilItsRetryPeriodEndsOnTheGatewaysClock()
    {
        await using var farm = await FarmWithASkippedServerAsync();

        var skipped = await farm.ConnectDeviceAsync("rdsh-1", "dev-while-skipped");
        farm.Time.Advance(TimeSpan.FromSeconds(29));
        var stillSkipped = await farm.ConnectDeviceAsync("rdsh-1", "dev-still-skipped");
        farm.Time.Advance(TimeSpan.FromSeconds(1));
        var triedAgain = await farm.ConnectDeviceAsync("rdsh-1", "dev-after-retry-period");
        var closed = await farm.ConnectDeviceAsync("rdsh-1", "dev-after-close");

        // Skipped: admitted on grace without a CAL, the server was not asked.
        Assert.Equal(ReasonCode.GracePeriod, skipped.Reason);
        Assert.True(skipped.Certificate is null || skipped.Certificate.Data.IsEmpty);
        Assert.Equal(ReasonCode.GracePeriod, stillSkipped.Reason);
        Assert.Equal(ReasonCode.TemporaryCalIssued, triedAgain.Reason);
        Assert.Equal(ReasonCode.TemporaryCalIssued, closed.Reason);
    }

    [Fact]
    public async Task ADiagnosisAsksASkippedServerAnyway()
    {
        await using var farm = await FarmWithASkippedServerAsync();

        var report = await farm.Gateway.DiagnoseAsync(new DiagnoseRequest { HostId = "rdsh-1" });

        Assert.Contains(report.Findings, f => f.Code == "LICENSE_SERVER_REACHABLE");
        Assert.DoesNotContain(report.Findings, f => f.Code == "LICENSE_SERVER_UNREACHABLE");
    }
}
