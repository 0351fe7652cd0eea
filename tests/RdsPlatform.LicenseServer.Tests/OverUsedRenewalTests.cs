using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>R9: the extension of an OverUsed Per User CAL tries the pool first, and the move into a seat is audited.</summary>
public sealed class OverUsedRenewalTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new();

    public async Task InitializeAsync()
    {
        await _host.Client.ActivateAsync();
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), CalType.PerUser, count: 1));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ExtensionOfAnOverUsedCalMovesItIntoTheSeatFreedSince()
    {
        await _host.Client.RequestLicenseAsync(Requests.User("xavier"));
        await _host.AdvanceAsync(TimeSpan.FromDays(70));
        var overUsed = await _host.Client.RequestLicenseAsync(Requests.User("yvonne"));
        Assert.Equal(ReasonCode.PerUserOverused, overUsed.Reason);
        await _host.AdvanceAsync(TimeSpan.FromDays(54));

        var renewed = await _host.Client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = overUsed.License.LicenseId, SessionHostId = "host-1" });

        Assert.Equal(ReasonCode.PerUserRecorded, renewed.Reason);
        Assert.Equal(CalStatus.Active, renewed.License.Status);
        Assert.Equal(overUsed.License.LicenseId, renewed.License.LicenseId);
        Assert.False(string.IsNullOrEmpty(renewed.License.KeyPackId));
        Assert.False(renewed.Certificate.Data.IsEmpty);
        var pack = Assert.Single((await _host.Client.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal(0, pack.Available);
        Assert.Empty(await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { Status = CalStatus.Overused }).ToListAsync());
        // The CAL's own last event: the pool alert the full pack raises after the commit may be audited after it.
        var audit = (await _host.Client.GetAuditTrail(new GetAuditTrailRequest()).ToListAsync())
            .Last(e => e.LicenseId == renewed.License.LicenseId);
        Assert.Equal(AuditEventType.LicenseIssued, audit.Type);
        Assert.Equal(renewed.License.KeyPackId, audit.KeyPackId);
        Assert.Equal(ReasonCode.PerUserRecorded, audit.Reason);
        Assert.Contains("moved into a free seat", audit.Detail);
    }
}
