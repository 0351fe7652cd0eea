using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests;

public sealed class RevocationTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new();

    public async Task InitializeAsync()
    {
        await _host.Client.ActivateAsync();
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 10));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task AtMostTwentyPercentOfAVersionMayBeRevokedUntilTheRevokedCalsExpire()
    {
        var cals = new List<RequestLicenseResponse>();
        foreach (var device in new[] { "hw-1", "hw-2", "hw-3" })
        {
            cals.Add(await _host.Client.PermanentDeviceAsync(device));
        }

        var first = await _host.Client.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = cals[0].License.LicenseId });
        Assert.Equal(CalStatus.Revoked, first.License.Status);
        Assert.Equal(1, first.RevocableRemaining);
        var second = await _host.Client.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = cals[1].License.LicenseId });
        Assert.Equal(0, second.RevocableRemaining);
        var earliestExpiry = new[] { cals[0], cals[1] }.Min(c => c.License.ExpiresAt.ToDateTimeOffset());
        Assert.Equal(earliestExpiry, second.NextRevokeAllowedAt.ToDateTimeOffset());

        var capped = await Requests.RefusedAsync(() => _host.Client.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = cals[2].License.LicenseId }));
        Assert.Equal(StatusCode.FailedPrecondition, capped.StatusCode);
        Assert.Contains("next revoke is allowed", capped.Status.Detail);

        var pack = Assert.Single((await _host.Client.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal(1, pack.Issued);

        await _host.AdvanceAsync(TimeSpan.FromDays(90));
        var fresh = await _host.Client.PermanentDeviceAsync("hw-4");
        var afterExpiry = await _host.Client.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = fresh.License.LicenseId });
        Assert.Equal(1, afterExpiry.RevocableRemaining);
    }

    [Fact]
    public async Task RevokedDeviceIsIssuedOneNewTemporaryCalAndItsSeatIsFreeAtOnce()
    {
        var permanent = await _host.Client.PermanentDeviceAsync("hw-1");
        await _host.Client.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = permanent.License.LicenseId });

        var fresh = await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));
        var again = await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));

        Assert.Equal(ReasonCode.TemporaryCalIssued, fresh.Reason);
        Assert.Equal(CalStatus.Temporary, fresh.License.Status);
        Assert.NotEqual(permanent.License.LicenseId, fresh.License.LicenseId);
        Assert.False(fresh.Certificate.Data.IsEmpty);
        Assert.Equal(ReasonCode.ValidCal, again.Reason);
        Assert.Equal(fresh.License.LicenseId, again.License.LicenseId);
        var pack = Assert.Single((await _host.Client.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal(0, pack.Issued);
        var issued = await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { Subject = "hw-1" }).ToListAsync();
        Assert.Equal([CalStatus.Temporary, CalStatus.Revoked], issued.Select(l => l.Status).Order());

        // R3 still holds for the new CAL: once it expires unupgraded, no third one is issued.
        await _host.AdvanceAsync(TimeSpan.FromDays(91));
        var afterExpiry = await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));
        Assert.Equal(ReasonCode.NoLicensesAvailable, afterExpiry.Reason);
        Assert.Null(afterExpiry.License);
    }

    [Fact]
    public async Task PerUserCalsCannotBeRevoked()
    {
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), CalType.PerUser));
        var user = await _host.Client.RequestLicenseAsync(Requests.User("alice"));

        var ex = await Requests.RefusedAsync(() => _host.Client.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = user.License.LicenseId }));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("Per User CALs cannot be revoked", ex.Status.Detail);
    }

    [Fact]
    public async Task TemporaryAndUnknownCalsCannotBeRevoked()
    {
        var temporary = await _host.Client.RequestLicenseAsync(Requests.Device("hw-temp"));

        var ex = await Requests.RefusedAsync(() => _host.Client.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = temporary.License.LicenseId }));
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);

        var unknown = await Requests.RefusedAsync(() => _host.Client.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = Guid.NewGuid().ToString() }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task ARevokedCertificateIsNotRenewed()
    {
        var cal = await _host.Client.PermanentDeviceAsync("hw-1");
        await _host.Client.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = cal.License.LicenseId });

        var renewal = await _host.Client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = cal.License.LicenseId });

        Assert.Equal(ReasonCode.CalRevoked, renewal.Reason);
        Assert.Null(renewal.Certificate);
    }
}
