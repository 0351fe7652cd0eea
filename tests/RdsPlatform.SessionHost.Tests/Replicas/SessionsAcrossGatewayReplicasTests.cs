using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.Replicas;

/// <summary>
/// Two gateway processes running at once on one PostgreSQL database and one cache, as behind a load balancer: a session
/// started on one signs in and disconnects on the other.
/// </summary>
public sealed class SessionsAcrossGatewayReplicasTests(PostgresDatabaseFixture database, GarnetFixture garnet)
    : GatewayReplicaTests(database, garnet)
{
    [Fact]
    public async Task ASessionStartedOnOneReplicaSignsInAndDisconnectsOnTheOther()
    {
        await using var farm = await FarmOnPostgresAsync();
        var other = farm.StartGatewayReplica("gateway-b");
        await farm.ConfigureAsync("rdsh-sessions", LicensingMode.PerDevice);

        var connects = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => farm.ConnectDeviceAsync("rdsh-sessions", $"session-dev-{i}")));
        var signIns = await Task.WhenAll(connects.Select(c => other.Client.SignInAsync(new SignInRequest { SessionId = c.SessionId }).ResponseAsync));
        var disconnects = await Task.WhenAll(connects.Select(c => other.Client.DisconnectAsync(new DisconnectRequest { SessionId = c.SessionId }).ResponseAsync));
        var again = await other.Client.ConnectAsync(Requests.Connect("rdsh-sessions", "session-dev-0", presented: connects[0].Certificate));

        Assert.All(connects, c => Assert.Equal(ReasonCode.TemporaryCalIssued, c.Reason));
        // The sign-in validated each temporary CAL on the license server (R4): it is the one the first replica issued.
        Assert.Equal(connects.Select(c => c.CertificateDetails.LicenseId), signIns.Select(s => s.CertificateDetails.LicenseId));
        Assert.Equal(20, disconnects.Length);
        Assert.True(again.Admitted);
        Assert.Equal(connects[0].CertificateDetails.LicenseId, again.CertificateDetails.LicenseId);
    }
}
