using Grpc.Core;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.Security.Tests;

/// <summary>Each role does its real work end to end with its own key; a session-host key acts only for its own hosts.</summary>
public sealed class AccessScenarioTests
{
    [Fact]
    public async Task EveryRoleCompletesItsOwnWorkWithItsOwnKey()
    {
        await using var platform = new Platform();

        // admin: activation, key packs, host settings, the clock, and reads of everything.
        await platform.ActivateAndInstallAsync(perDevice: 5);
        await platform.ConfigureHostAsync("host-1");
        var adminGateway = platform.GatewayAs(TestKeys.Admin);
        Assert.Equal("host-1", (await adminGateway.GetSessionHostAsync(new GetSessionHostRequest { HostId = "host-1" })).Host.HostId);
        Assert.True((await adminGateway.GetGracePeriodAsync(new GetGracePeriodRequest { HostId = "host-1" })).InGrace);
        Assert.NotEmpty((await adminGateway.DiagnoseAsync(new DiagnoseRequest { HostId = "host-1" })).Findings);
        Assert.NotNull((await new Clock.ClockClient(platform.Gateway(TestKeys.Admin)).GetTimeAsync(new GetTimeRequest())).Now);

        // client: connect, sign in, disconnect, and its reads.
        var client = platform.GatewayAs(TestKeys.Client);
        var connected = await platform.ConnectAsync("host-1", "device-1");
        Assert.Equal(ReasonCode.TemporaryCalIssued, connected.Reason);
        await client.SignInAsync(new SignInRequest { SessionId = connected.SessionId });
        await client.DisconnectAsync(new DisconnectRequest { SessionId = connected.SessionId });
        Assert.True((await client.GetGracePeriodAsync(new GetGracePeriodRequest { HostId = "host-1" })).InGrace);
        Assert.NotNull((await new Clock.ClockClient(platform.Gateway(TestKeys.Client)).GetTimeAsync(new GetTimeRequest())).Now);

        // session-host: license requests and the reads the gateway needs.
        var sessionHost = platform.LicenseServerAs(TestKeys.SessionHost);
        var temporary = await sessionHost.RequestLicenseAsync(Clients.DeviceLicense("host-1", "device-2"));
        Assert.Equal(ReasonCode.TemporaryCalIssued, temporary.Reason);
        await sessionHost.MarkLicenseValidatedAsync(new MarkLicenseValidatedRequest { LicenseId = temporary.License.LicenseId, SessionHostId = "host-1" });
        var permanent = await sessionHost.RequestLicenseAsync(Clients.DeviceLicense("host-1", "device-2"));
        Assert.Equal(ReasonCode.CalUpgraded, permanent.Reason);
        Assert.Equal(ReasonCode.ValidCal, (await sessionHost.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = permanent.License.LicenseId, SessionHostId = "host-1" })).Reason);
        Assert.Single((await sessionHost.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.NotEmpty((await sessionHost.GetServerInfoAsync(new GetServerInfoRequest())).Server.PublicKey);

        // admin: revoke a permanent Per Device CAL (1 of 5 = 20%).
        var revoked = await platform.LicenseServerAs(TestKeys.Admin).RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = permanent.License.LicenseId });
        Assert.Equal(CalStatus.Revoked, revoked.License.Status);

        // reporter: reports, and the license server reads reporting needs.
        var reporter = platform.ReportingAs(TestKeys.Reporter);
        var report = (await reporter.GenerateReportAsync(new GenerateReportRequest { Kind = ReportKind.PerDevice })).Report;
        Assert.True(report.EntryCount >= 2, $"The Per Device report has {report.EntryCount} entries.");
        Assert.Single((await reporter.ListReportsAsync(new ListReportsRequest())).Reports);
        Assert.Equal(report.EntryCount, (await reporter.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = report.ReportId })).Entries.Count);
        using (var export = reporter.ExportReport(new ExportReportRequest { ReportId = report.ReportId }))
        {
            Assert.True(await export.ResponseStream.MoveNext(CancellationToken.None));
        }

        Assert.NotEmpty((await reporter.GetComplianceSummaryAsync(new GetComplianceSummaryRequest())).Pools);
        await reporter.DeleteReportAsync(new DeleteReportRequest { ReportId = report.ReportId });
        var readsForReporting = platform.LicenseServerAs(TestKeys.Reporter);
        using (var issued = readsForReporting.ListIssuedLicenses(new ListIssuedLicensesRequest()))
        {
            Assert.True(await issued.ResponseStream.MoveNext(CancellationToken.None));
        }

        using (var audit = readsForReporting.GetAuditTrail(new GetAuditTrailRequest { Limit = 1 }))
        {
            Assert.True(await audit.ResponseStream.MoveNext(CancellationToken.None));
        }
    }

    [Fact]
    public async Task ASessionHostKeyActsOnlyForItsOwnHostIds()
    {
        await using var platform = new Platform();
        var hostOne = platform.LicenseServerAs(TestKeys.RestrictedSessionHost);
        var own = await hostOne.RequestLicenseAsync(Clients.DeviceLicense(TestKeys.RestrictedHostId, "device-1"));
        var before = await platform.IssuedAsync();

        var request = await Requests.RefusedAsync(() => hostOne.RequestLicenseAsync(Clients.DeviceLicense("host-2", "device-2")));
        var validate = await Requests.RefusedAsync(() => hostOne.MarkLicenseValidatedAsync(
            new MarkLicenseValidatedRequest { LicenseId = own.License.LicenseId, SessionHostId = "host-2" }));
        var renew = await Requests.RefusedAsync(() => hostOne.RenewLicenseAsync(
            new RenewLicenseRequest { LicenseId = own.License.LicenseId, SessionHostId = "host-2" }));

        Assert.Equal(ReasonCode.TemporaryCalIssued, own.Reason);
        Assert.All([request, validate, renew], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        Assert.Contains("may not act for session host 'host-2'", request.Status.Detail);
        Assert.Contains("HostIds", request.Status.Detail);
        var after = await platform.IssuedAsync();
        Assert.Equal(before, after);
        Assert.False(after.Single().Validated);
    }

    [Fact]
    public async Task AKeyOfTheWrongRoleIsRefusedWithTheRoleThatWouldDo()
    {
        await using var platform = new Platform();

        var error = await Requests.RefusedAsync(() => platform.LicenseServerAs(TestKeys.Client).ActivateServerAsync(new ActivateServerRequest()));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("has the role client", error.Status.Detail);
        Assert.Contains("use a key with the role admin", error.Status.Detail);
        var info = await platform.LicenseServerAs(TestKeys.Admin).GetServerInfoAsync(new GetServerInfoRequest());
        Assert.Equal(ActivationState.NotActivated, info.Server.ActivationState);
    }
}
