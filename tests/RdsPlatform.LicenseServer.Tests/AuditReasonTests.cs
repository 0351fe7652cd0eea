using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.ServiceDefaults.Grpc;
using RdsPlatform.ServiceDefaults.Mapping;
using Core = RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>Every audit event carries the reason its type implies, read back through GetAuditTrail.</summary>
public sealed class AuditReasonTests : IAsyncLifetime
{
    /// <summary>What each licensing event type says happened; administrative events (key packs, activation) imply no reason.</summary>
    private static readonly Dictionary<AuditEventType, ReasonCode[]> Implied = new()
    {
        [AuditEventType.LicenseIssued] = [ReasonCode.TemporaryCalIssued, ReasonCode.PerUserRecorded],
        [AuditEventType.LicenseValidated] = [ReasonCode.ValidCal],
        [AuditEventType.LicenseUpgraded] = [ReasonCode.CalUpgraded],
        [AuditEventType.LicenseRenewed] = [ReasonCode.CalRenewed],
        [AuditEventType.LicenseRevoked] = [ReasonCode.CalRevoked],
        [AuditEventType.LicenseReclaimed] = [ReasonCode.CalExpired],
        [AuditEventType.LicenseOverused] = [ReasonCode.PerUserOverused],
        [AuditEventType.IssuanceFailed] =
            [ReasonCode.NoLicensesAvailable, ReasonCode.PerUserNotTracked, ReasonCode.HostNotAllowed, ReasonCode.TemporaryCalExpired, ReasonCode.CalExpired],
    };

    private readonly LicenseServerHost _host = new(new Dictionary<string, string?>
    {
        ["LicenseServer:SecurityGroupEnabled"] = "true",
        ["LicenseServer:AllowedSessionHosts:0"] = "host-1",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task EveryEventTypeOfAFarmsLifeCarriesTheReasonItImplies()
    {
        var client = _host.Client;
        await client.ActivateAsync();
        await client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 10));
        await client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), CalType.PerUser, count: 1));
        var spare = (await client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), CalType.PerDevice, ProductVersion._2019, count: 5))).KeyPack;
        await client.RemoveLicensesAsync(new RemoveLicensesRequest { KeyPackId = spare.KeyPackId, Count = 2 });
        await client.UninstallKeyPackAsync(new UninstallKeyPackRequest { KeyPackId = spare.KeyPackId });

        var renewed = (await client.PermanentDeviceAsync("hw-renewed")).License;
        await client.PermanentDeviceAsync("hw-reclaimed");
        var revoked = (await client.PermanentDeviceAsync("hw-revoked")).License;
        await client.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = revoked.LicenseId });
        await client.RequestLicenseAsync(Requests.User("alice"));
        await client.RequestLicenseAsync(Requests.User("bob"));
        // Alerts are raised in the background from the pools as they are then (they never hold up a decision): wait for the
        // Per User pool's alerts before time moves on and expiries make the pool whole again.
        var until = DateTime.UtcNow.AddSeconds(30);
        while ((await client.GetAuditTrail(new GetAuditTrailRequest { Types_ = { AuditEventType.AlertRaised } }).ToListAsync()).Count == 0
               && DateTime.UtcNow < until)
        {
            await Task.Delay(25);
        }

        await client.RequestLicenseAsync(Requests.User("kiosk", domain: ""));
        var outsider = Requests.Device("hw-outsider");
        outsider.SessionHostId = "host-2";
        await Assert.ThrowsAsync<RpcException>(async () => await client.RequestLicenseAsync(outsider));

        var now = (await client.GetServerInfoAsync(new GetServerInfoRequest())).Server.Now.ToDateTimeOffset();
        await _host.AdvanceAsync(renewed.ExpiresAt.ToDateTimeOffset() - now - TimeSpan.FromDays(2));
        await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = renewed.LicenseId, SessionHostId = "host-1" });
        await _host.AdvanceAsync(TimeSpan.FromDays(100));
        await client.RequestLicenseAsync(Requests.Device("hw-late"));
        await client.DeactivateServerAsync(new DeactivateServerRequest { Reason = "new hardware" });
        await client.ReactivateServerAsync(new ReactivateServerRequest { Reason = "hardware ready" });

        var trail = await client.GetAuditTrail(new GetAuditTrailRequest()).ToListAsync();

        Assert.Equal(
            Enum.GetValues<AuditEventType>().Where(t => t != AuditEventType.Unspecified).Order(),
            trail.Select(e => e.Type).Distinct().Order());
        Assert.All(trail, e => Assert.True(
            Implied.TryGetValue(e.Type, out var reasons) ? reasons.Contains(e.Reason) : e.Reason == ReasonCode.Unspecified,
            $"{e.Type} carries {e.Reason}: {e.Detail}"));
        Assert.Contains(trail, e => e is { Type: AuditEventType.IssuanceFailed, Reason: ReasonCode.HostNotAllowed, SessionHostId: "host-2" });
    }

    [Fact]
    public void EveryCoreReasonHasOneContractReasonAndEveryContractReasonComesBack()
    {
        foreach (var reason in Enum.GetValues<Core.ReasonCode>())
        {
            var wire = ContractMapping.ToContract(reason);
            if (wire != ReasonCode.Unspecified && reason != Core.ReasonCode.TemporaryCalValidated)
            {
                Assert.Equal(reason, ContractMapping.ToCore(wire));
            }
        }

        Assert.All(Enum.GetValues<ReasonCode>().Where(r => r != ReasonCode.Unspecified),
            wire => Assert.Equal(wire, ContractMapping.ToContract(ContractMapping.ToCore(wire) ?? throw new Xunit.Sdk.XunitException($"{wire} has no core reason"))));
    }
}
