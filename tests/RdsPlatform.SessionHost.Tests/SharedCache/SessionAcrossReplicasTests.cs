using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.SharedCache;

/// <summary>
/// A session a replica acknowledged (Connect answered with its id) is signed in on the replica that serves the client
/// next: one running beside it, or one started after it stopped right after answering (its session writes leave through
/// a background writer, and stopping the replica sends what that writer still holds). A revocation reaches a replica
/// that cannot reach the license server through the same cache. On one server and on a Redis Cluster alike.
/// </summary>
public abstract class SessionAcrossReplicasTests<TCache>(TCache cache) : IClassFixture<TCache> where TCache : class, ISharedCache
{
    [Fact]
    public async Task SessionsAnsweredJustBeforeAReplicaStopsAreSignedInOnTheNextReplica()
    {
        await using var farm = new Farm(cache.ConnectionString);
        await farm.ConfigureAsync("rdsh-replicas", LicensingMode.PerDevice);
        var connects = Enumerable.Range(0, 200).Select(i => farm.ConnectDeviceAsync("rdsh-replicas", $"replica-dev-{i}"));
        var sessions = (await Task.WhenAll(connects)).Select(c => c.SessionId).ToList();

        // The next replica starts on the same cache with nothing in process.
        await farm.RestartGatewayAsync();

        foreach (var sessionId in sessions)
        {
            var signIn = await farm.Gateway.SignInAsync(new SignInRequest { SessionId = sessionId });
            Assert.NotEqual(ReasonCode.Unspecified, signIn.Reason);
        }
    }

    [Fact]
    public async Task SessionsStartedOnOneRunningReplicaAreSignedInOnAnother()
    {
        await using var farm = new Farm(cache.ConnectionString);
        var other = await farm.StartReplicaWithHostAsync("gateway-2", "rdsh-two");
        var connects = Enumerable.Range(0, 50).Select(i => farm.ConnectDeviceAsync("rdsh-two", $"two-dev-{i}"));
        var connected = await Task.WhenAll(connects);

        foreach (var session in connected)
        {
            var signIn = await other.SignInAsync(new SignInRequest { SessionId = session.SessionId });
            Assert.Equal(session.CertificateDetails.LicenseId, signIn.CertificateDetails.LicenseId);
        }
    }

    [Fact]
    public async Task RevocationReachesAReplicaThroughTheSharedCache()
    {
        await using var farm = new Farm(cache.ConnectionString);
        var permanent = await farm.PermanentDeviceAfterGraceAsync("rdsh-1", "dev-1");
        await farm.LicenseServer.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = permanent.CertificateDetails.LicenseId });
        // Once this replica knows of the revocation, the revoked certificate is replaced by a new temporary CAL (R8).
        await Eventually.ConnectUntil(() => farm.ConnectDeviceAsync("rdsh-1", "dev-1", permanent.Certificate), ReasonCode.TemporaryCalIssued);

        // A replica that starts now, with the license server unreachable, learns the revocation from the cache.
        farm.LicenseServerDown = true;
        await farm.RestartGatewayAsync();
        var response = await Eventually.ConnectUntil(() => farm.ConnectDeviceAsync("rdsh-1", "dev-1", permanent.Certificate), ReasonCode.CalRevoked);
        Assert.False(response.Admitted);
        Assert.Equal(ReasonCode.CalRevoked, response.Reason);
    }
}

/// <summary>Sessions and revocations across replicas on one Redis-protocol server (Garnet).</summary>
public sealed class SessionAcrossReplicasOnOneServerTests(GarnetFixture cache) : SessionAcrossReplicasTests<GarnetFixture>(cache);

/// <summary>Sessions and revocations across replicas on a 3-master Redis Cluster.</summary>
public sealed class SessionAcrossReplicasOnRedisClusterTests(RedisClusterFixture cache) : SessionAcrossReplicasTests<RedisClusterFixture>(cache);
