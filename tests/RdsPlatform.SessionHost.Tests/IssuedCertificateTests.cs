using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.SessionHost.LicenseServers;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>
/// Certificates the license server returns are trusted like its answer, with spot checks against its public key
/// (Gateway:IssuedCertificateSpotCheck): a key that no longer matches is caught, the certificate is not handed out, and
/// the gateway re-reads the key before its next call.
/// </summary>
public sealed class IssuedCertificateTests
{
    [Fact]
    public async Task CertificatesTrustedBetweenSpotChecksAreAdmittedWhenPresented()
    {
        await using var farm = new Farm();
        farm.GatewaySettings["Gateway:IssuedCertificateSpotCheck"] = "3";
        await farm.RestartGatewayAsync();
        await farm.ConfigureAsync("rdsh-1", LicensingMode.PerDevice);

        for (var i = 0; i < 7; i++)
        {
            var first = await farm.ConnectDeviceAsync("rdsh-1", $"dev-{i}");
            Assert.Equal(ReasonCode.TemporaryCalIssued, first.Reason);
            Assert.NotEmpty(first.Certificate.Data);

            var again = await farm.ConnectDeviceAsync("rdsh-1", $"dev-{i}", first.Certificate);
            Assert.True(again.Admitted, again.ToString());
            Assert.Equal(first.CertificateDetails.LicenseId, again.CertificateDetails.LicenseId);
        }
    }

    [Fact]
    public async Task AKeyThatNoLongerMatchesIsCaughtByASpotCheckAndReadAgainBeforeTheNextCall()
    {
        await using var farm = new Farm();
        farm.GatewaySettings["Gateway:IssuedCertificateSpotCheck"] = "64";
        await farm.RestartGatewayAsync();
        await farm.ConfigureAsync("rdsh-1", LicensingMode.PerDevice);
        Assert.NotEmpty((await farm.ConnectDeviceAsync("rdsh-1", "dev-before")).Certificate.Data);

        // The gateway now believes in a key the license server does not sign with (as after the server's key changed).
        var server = farm.GatewayServices.GetRequiredService<LicenseServerRegistry>().Get(Farm.LicenseServerName);
        using (var other = Licensing.CalCertificateSigner.Create())
        {
            server.Adopt(server.Identity! with { PublicKey = other.PublicKey }, refreshed: true);
        }

        var caught = await farm.ConnectDeviceAsync("rdsh-1", "dev-caught");
        Assert.True(caught.Certificate is null || caught.Certificate.Data.IsEmpty, caught.ToString());
        Assert.True(server.Verifier!.SpotCheckFailed);

        var next = await farm.ConnectDeviceAsync("rdsh-1", "dev-next");
        Assert.Equal(ReasonCode.TemporaryCalIssued, next.Reason);
        Assert.NotEmpty(next.Certificate.Data);
        Assert.False(server.Verifier!.SpotCheckFailed);
        var presented = await farm.ConnectDeviceAsync("rdsh-1", "dev-next", next.Certificate);
        Assert.True(presented.Admitted, presented.ToString());
        Assert.Equal(next.CertificateDetails.LicenseId, presented.CertificateDetails.LicenseId);

        var retried = await farm.ConnectDeviceAsync("rdsh-1", "dev-caught");
        Assert.NotEmpty(retried.Certificate.Data);
    }
}
