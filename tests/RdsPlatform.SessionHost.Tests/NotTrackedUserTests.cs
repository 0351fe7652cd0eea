using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.SessionHost.Connections;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>R12: a user the gateway admits as not tracked reaches the license server's audit trail, and so the Per User report.</summary>
public sealed class NotTrackedUserTests
{
    [Fact]
    public async Task NotTrackedUserIsListedOnceAsNotTrackingInThePerUserReport()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("rdsh-u", LicensingMode.PerUser);
        var reporting = farm.StartReporting();

        var first = await farm.ConnectUserAsync("rdsh-u", "", "kiosk");
        var second = await farm.ConnectUserAsync("rdsh-u", "", "kiosk");

        Assert.True(first.Admitted);
        Assert.Equal(ReasonCode.PerUserNotTracked, first.Reason);
        Assert.Equal(ReasonCode.PerUserNotTracked, second.Reason);
        Assert.Equal(2, (await NotTrackedAuditsAsync(farm, expected: 2)).Count);
        var report = (await reporting.GenerateReportAsync(new GenerateReportRequest { Kind = ReportKind.PerUser })).Report;
        var entries = await reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId });
        var entry = Assert.Single(entries.Entries).PerUser;
        Assert.Equal("kiosk", entry.UserName);
        Assert.Equal("Not Tracking", entry.Tracking);
    }

    [Fact]
    public async Task NotTrackedSignInWaitsInTheGatewayWhileTheLicenseServerIsDownAndThroughARestart()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("rdsh-u", LicensingMode.PerUser);
        farm.LicenseServerDown = true;

        var admitted = await farm.ConnectUserAsync("rdsh-u", "", "kiosk");
        await farm.RestartGatewayAsync();
        var waiting = farm.GatewayServices.GetRequiredService<NotTrackedSignInOutbox>().Waiting();
        farm.LicenseServerDown = false;

        Assert.True(admitted.Admitted);
        Assert.Equal(ReasonCode.PerUserNotTracked, admitted.Reason);
        Assert.Equal(1, waiting);
        var audit = Assert.Single(await NotTrackedAuditsAsync(farm, expected: 1));
        Assert.Equal("rdsh-u", audit.SessionHostId);
        Assert.Equal(ReasonCode.PerUserNotTracked, audit.Reason);
    }

    /// <summary>The license server's ISSUANCE_FAILED / PER_USER_NOT_TRACKED events, once there are the expected number (at most 15 s).</summary>
    private static async Task<List<AuditEvent>> NotTrackedAuditsAsync(Farm farm, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            using var call = farm.LicenseServer.GetAuditTrail(new GetAuditTrailRequest { Types_ = { AuditEventType.IssuanceFailed } });
            var events = await call.ResponseStream.ReadAllAsync().Where(e => e.Reason == ReasonCode.PerUserNotTracked).ToListAsync();
            if (events.Count >= expected || DateTime.UtcNow > deadline)
            {
                return events;
            }

            await Task.Delay(100);
        }
    }
}
