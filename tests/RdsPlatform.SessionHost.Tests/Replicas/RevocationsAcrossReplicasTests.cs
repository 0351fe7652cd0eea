using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.SessionHost.Connections;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.Replicas;

/// <summary>
/// A revocation reaches every gateway replica within the documented bound (docs/session-host.md: one
/// <c>Gateway:RevocationPollInterval</c> plus the audit call): each replica tails the license server's trail, and what one
/// learns it shares through the cache. After that neither admits the revoked certificate.
/// </summary>
public sealed class RevocationsAcrossReplicasTests(PostgresDatabaseFixture database, GarnetFixture garnet)
    : GatewayReplicaTests(database, garnet)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    // One interval, the audit call, and room for two shared cores under a parallel test run.
    private static readonly TimeSpan Bound = PollInterval * 2 + TimeSpan.FromSeconds(1);

    [Fact]
    public async Task ARevokedCalIsKnownToBothReplicasWithinTheBoundAndNeitherAdmitsItsCertificate()
    {
        await using var farm = await FarmOnPostgresAsync(("Gateway:RevocationPollInterval", "00:00:01"));
        var other = farm.StartGatewayReplica("gateway-b");
        var permanent = await farm.PermanentDeviceAfterGraceAsync("rdsh-revoke", "revoke-dev-1");
        Assert.Equal(ReasonCode.CalUpgraded, permanent.Reason);
        var licenseId = Guid.Parse(permanent.CertificateDetails.LicenseId);

        await farm.LicenseServer.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = permanent.CertificateDetails.LicenseId });
        var revokedAt = DateTime.UtcNow;
        var lists = new[] { farm.GatewayServices, other.Services }.Select(s => s.GetRequiredService<RevocationList>()).ToList();
        while (!lists.All(l => l.IsRevoked(licenseId)) && DateTime.UtcNow - revokedAt < Bound)
        {
            await Task.Delay(20);
        }

        var took = DateTime.UtcNow - revokedAt;
        Assert.True(lists.All(l => l.IsRevoked(licenseId)), $"After {took.TotalSeconds:0.0} s the revocation was known to {lists.Count(l => l.IsRevoked(licenseId))} of 2 replicas.");
        var onFirst = await farm.ConnectDeviceAsync("rdsh-revoke", "revoke-dev-1", permanent.Certificate);
        var onOther = await other.Client.ConnectAsync(Requests.Connect("rdsh-revoke", "revoke-dev-1", presented: permanent.Certificate));
        // Neither admits the revoked certificate: the device gets a new temporary CAL instead (R8, never locked out).
        Assert.All([onFirst, onOther], c => Assert.Equal((true, true), (c.Admitted, c.CertificateDetails.Temporary)));
        Assert.All([onFirst, onOther], c => Assert.NotEqual(permanent.CertificateDetails.LicenseId, c.CertificateDetails.LicenseId));
    }
}
