using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.Security.Tests;

/// <summary>R18: with the security group on, the license server serves only the listed session hosts; others get PermissionDenied.</summary>
public sealed class SecurityGroupTests : IAsyncLifetime
{
    private readonly Platform _platform = new(licenseServerSettings: new Dictionary<string, string?>
    {
        ["LicenseServer:SecurityGroupEnabled"] = "true",
        ["LicenseServer:AllowedSessionHosts:0"] = "allowed-host",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _platform.DisposeAsync();

    [Fact]
    public async Task AHostOutsideTheGroupIsRefusedWithPermissionDeniedNamingTheHostAndTheFix()
    {
        var sessionHost = _platform.LicenseServerAs(TestKeys.SessionHost);
        var allowed = await sessionHost.RequestLicenseAsync(Clients.DeviceLicense("allowed-host", "device-1"));

        var refused = await Requests.RefusedAsync(() => sessionHost.RequestLicenseAsync(Clients.DeviceLicense("outsider", "device-2")));
        var renew = await Requests.RefusedAsync(() => sessionHost.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = allowed.License.LicenseId, SessionHostId = "outsider" }));
        var validate = await Requests.RefusedAsync(() => sessionHost.MarkLicenseValidatedAsync(
            new MarkLicenseValidatedRequest { LicenseId = allowed.License.LicenseId, SessionHostId = "outsider" }));

        Assert.Equal(ReasonCode.TemporaryCalIssued, allowed.Reason);
        Assert.All([refused, renew, validate], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        Assert.Contains("'outsider'", refused.Status.Detail);
        Assert.Contains("LicenseServer:AllowedSessionHosts", refused.Status.Detail);
        Assert.Single(await _platform.IssuedAsync());
        Assert.False((await _platform.IssuedAsync()).Single().Validated);
        var refusals = (await _platform.AuditAsync()).Where(a => a.Type == AuditEventType.IssuanceFailed).ToList();
        Assert.Equal(3, refusals.Count);
        Assert.All(refusals, a => Assert.Equal("outsider", a.SessionHostId));
    }

    [Fact]
    public async Task TheGatewayTreatsTheRefusalAsNoLicenseServerForThatHostAndDiagnoseSaysWhy()
    {
        await _platform.ConfigureHostAsync("outsider");
        await _platform.ConfigureHostAsync("allowed-host");

        var inGrace = await _platform.ConnectAsync("outsider", "device-1");
        var allowed = await _platform.ConnectAsync("allowed-host", "device-2");
        var diagnosis = await _platform.GatewayAs(TestKeys.Admin).DiagnoseAsync(new DiagnoseRequest { HostId = "outsider" });
        _platform.Time.Advance(TimeSpan.FromDays(121));
        var afterGrace = await _platform.ConnectAsync("outsider", "device-3");

        Assert.True(inGrace.Admitted);
        Assert.Equal(ReasonCode.GracePeriod, inGrace.Reason);
        Assert.Null(inGrace.Certificate);
        Assert.Equal(ReasonCode.TemporaryCalIssued, allowed.Reason);
        Assert.Contains(diagnosis.Findings, f => f.Code == "HOST_NOT_ALLOWED" && f.Remediation.Contains("outsider"));
        Assert.False(afterGrace.Admitted);
        Assert.Equal(ReasonCode.NoLicenseServer, afterGrace.Reason);
        Assert.Single(await _platform.IssuedAsync());
    }
}

/// <summary>A license server that refuses a host sends the gateway on to the host's next license server.</summary>
public sealed class NextLicenseServerTests
{
    [Fact]
    public async Task AHostRefusedByItsFirstLicenseServerGetsItsCalFromTheNextOne()
    {
        await using var platform = new Platform(
            licenseServerSettings: new Dictionary<string, string?>
            {
                ["LicenseServer:SecurityGroupEnabled"] = "true",
                ["LicenseServer:AllowedSessionHosts:0"] = "someone-else",
            },
            secondLicenseServer: new Dictionary<string, string?>());
        await platform.ConfigureHostAsync("host-1", LicensingMode.PerDevice, "license-server", "license-server-2");
        var second = await new Contracts.Licensing.V1.LicenseServer.LicenseServerClient(platform.Invoker(platform.SecondLicenseServerHost!.Server, TestKeys.Admin))
            .GetServerInfoAsync(new GetServerInfoRequest());

        var connected = await platform.ConnectAsync("host-1", "device-1");
        var diagnosis = await platform.GatewayAs(TestKeys.Admin).DiagnoseAsync(new DiagnoseRequest { HostId = "host-1" });

        Assert.True(connected.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalIssued, connected.Reason);
        Assert.Equal(second.Server.ServerId, connected.CertificateDetails.ServerId);
        Assert.Contains(diagnosis.Findings, f => f.Code == "HOST_NOT_ALLOWED" && f.LicenseServer == "license-server");
        Assert.Empty(await platform.IssuedAsync());
        Assert.Contains(await platform.AuditAsync(), a => a.Type == AuditEventType.IssuanceFailed && a.SessionHostId == "host-1");
    }
}

/// <summary>A gateway whose key the license server does not accept says so in Diagnose, instead of calling the server unreachable.</summary>
public sealed class GatewayKeyTests
{
    [Fact]
    public async Task DiagnoseReportsALicenseServerThatRefusesTheGatewaysKey()
    {
        await using var platform = new Platform(allServiceSettings: new Dictionary<string, string?> { ["Gateway:LicenseServerApiKey"] = "revoked-gateway-key" });
        await platform.ConfigureHostAsync("host-1");

        var diagnosis = await platform.GatewayAs(TestKeys.Admin).DiagnoseAsync(new DiagnoseRequest { HostId = "host-1" });
        var connected = await platform.ConnectAsync("host-1", "device-1");

        var finding = Assert.Single(diagnosis.Findings, f => f.Code == "LICENSE_SERVER_REFUSED_GATEWAY");
        Assert.Contains("Unauthenticated", finding.Message);
        Assert.Contains("Gateway:LicenseServerApiKey", finding.Remediation);
        Assert.Equal(ReasonCode.GracePeriod, connected.Reason);
        Assert.Empty(await platform.IssuedAsync());
    }
}
