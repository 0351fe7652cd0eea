using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.SessionHost.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>R8: a revoked certificate is never admitted, and the device whose CAL was revoked is never locked out.</summary>
public sealed class RevokedDeviceTests
{
    [Fact]
    public async Task RevokedDeviceIsAdmittedWithANewTemporaryCalInTheSameConnection()
    {
        await using var farm = new Farm();
        var revoked = await RevokedPermanentAsync(farm);

        var replaced = await Eventually.ConnectUntil(() => farm.ConnectDeviceAsync("rdsh-1", "dev-1", revoked.Certificate), ReasonCode.TemporaryCalIssued);

        Assert.True(replaced.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalIssued, replaced.Reason);
        Assert.True(replaced.CertificateDetails.Temporary);
        Assert.NotEqual(revoked.CertificateDetails.LicenseId, replaced.CertificateDetails.LicenseId);
        Assert.False(replaced.Certificate.Data.IsEmpty);

        // Without a certificate, or with the revoked one kept, the device gets that same new CAL: no lock-out, no second CAL.
        var without = await farm.ConnectDeviceAsync("rdsh-1", "dev-1");
        var withRevoked = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", revoked.Certificate);
        Assert.True(without.Admitted);
        Assert.Equal(replaced.CertificateDetails.LicenseId, without.CertificateDetails.LicenseId);
        Assert.True(withRevoked.Admitted);
        Assert.Equal(replaced.CertificateDetails.LicenseId, withRevoked.CertificateDetails.LicenseId);
        Assert.False(withRevoked.Certificate.Data.IsEmpty);

        var issued = await farm.IssuedAsync(new ListIssuedLicensesRequest { Subject = "dev-1" });
        Assert.Equal(2, issued.Count);
        Assert.Contains(issued, l => l.LicenseId == revoked.CertificateDetails.LicenseId && l.Status == CalStatus.Revoked);
        Assert.Contains(issued, l => l.LicenseId == replaced.CertificateDetails.LicenseId && l.Status == CalStatus.Temporary);

        // The revocation freed the seat at once; after a sign-in the new CAL is upgraded into it.
        await farm.Gateway.SignInAsync(new SignInRequest { SessionId = withRevoked.SessionId });
        var upgraded = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", withRevoked.Certificate);
        Assert.Equal(ReasonCode.CalUpgraded, upgraded.Reason);
        Assert.Equal(replaced.CertificateDetails.LicenseId, upgraded.CertificateDetails.LicenseId);
        var pack = Assert.Single((await farm.LicenseServer.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal(1, pack.Issued);
    }

    [Fact]
    public async Task RevokedDeviceIsRefusedOnlyWhileNoLicenseServerCanGiveItANewCal()
    {
        await using var farm = new Farm();
        var revoked = await RevokedPermanentAsync(farm);
        var revocations = farm.GatewayServices.GetRequiredService<RevocationList>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!revocations.IsRevoked(Guid.Parse(revoked.CertificateDetails.LicenseId)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        farm.LicenseServerDown = true;
        var presented = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", revoked.Certificate);
        var remembered = await farm.ConnectDeviceAsync("rdsh-1", "dev-1");
        farm.LicenseServerDown = false;
        var next = await farm.ConnectDeviceAsync("rdsh-1", "dev-1");

        Assert.False(presented.Admitted);
        Assert.Equal(ReasonCode.CalRevoked, presented.Reason);
        Assert.Contains("revoked", presented.Message);
        Assert.False(remembered.Admitted);
        Assert.Equal(ReasonCode.CalRevoked, remembered.Reason);
        Assert.True(next.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalIssued, next.Reason);
        Assert.NotEqual(revoked.CertificateDetails.LicenseId, next.CertificateDetails.LicenseId);
    }

    /// <summary>dev-1's permanent CAL (see <see cref="Farm.PermanentDeviceAfterGraceAsync"/>), revoked by an administrator.</summary>
    private static async Task<ConnectResponse> RevokedPermanentAsync(Farm farm)
    {
        var permanent = await farm.PermanentDeviceAfterGraceAsync("rdsh-1", "dev-1");
        Assert.Equal(ReasonCode.CalUpgraded, permanent.Reason);
        await farm.LicenseServer.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = permanent.CertificateDetails.LicenseId });
        return permanent;
    }
}
