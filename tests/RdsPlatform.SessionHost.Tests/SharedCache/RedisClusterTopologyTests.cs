using RdsPlatform.SessionHost.Cache;
using RdsPlatform.Testing;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Tests.SharedCache;

/// <summary>
/// What only a Redis Cluster can get wrong: the client finds every master from the endpoints listed in
/// <c>ConnectionStrings:cache</c>, the gateway's keys spread over the masters instead of sharing one hash slot, a notice
/// published through any master reaches every subscriber, and a stopping replica's writes reach every master they went to.
/// </summary>
public sealed class RedisClusterTopologyTests(RedisClusterFixture fixture) : IClassFixture<RedisClusterFixture>
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task AConnectionStringListingTheMastersReachesEveryMasterOfTheCluster()
    {
        await using var replica = await new CacheReplica(fixture.ConnectionString).ConnectedAsync();

        var masters = replica.Connection.GetServers().Where(server => !server.IsReplica).ToList();

        Assert.Equal(RedisCluster.Masters, masters.Count);
        Assert.All(masters, master => Assert.Equal(ServerType.Cluster, master.ServerType));
    }

    [Fact]
    public async Task GatewayKeysSpreadOverEveryMaster()
    {
        await fixture.FlushAsync();
        await using var replica = await new CacheReplica(fixture.ConnectionString).ConnectedAsync();
        for (var i = 0; i < 300; i++)
        {
            replica.Sessions.Save(Guid.NewGuid().ToString("N"), [1], Lifetime);
        }

        await replica.Writes.DisposeAsync();

        foreach (var port in fixture.Cluster.Ports)
        {
            var keys = int.Parse(await fixture.Cluster.CliAsync(port, "DBSIZE"));
            Assert.True(keys > 0, $"The master on port {port} holds none of 300 sessions: the gateway's keys share one hash slot.");
        }
    }

    [Fact]
    public async Task ARevocationPublishedThroughAnyMasterReachesASubscribedReplica()
    {
        await using var replica = await new CacheReplica(fixture.ConnectionString).ConnectedAsync();
        var published = fixture.Cluster.Ports.ToDictionary(port => port, _ => Guid.NewGuid());
        var heard = published.Values.ToDictionary(id => id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await replica.Revocations.SubscribeAsync(id => heard.GetValueOrDefault(id)?.TrySetResult());

        foreach (var (port, licenseId) in published)
        {
            await fixture.Cluster.CliAsync(port, "PUBLISH", RedisRevocationStore.Channel.ToString(), licenseId.ToString());
        }

        await Task.WhenAll(heard.Values.Select(done => done.Task)).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WritesHeldBySlowMastersAreAppliedBeforeAStoppingReplicasWriterHasStopped()
    {
        await using var stopping = await new CacheReplica(fixture.ConnectionString).ConnectedAsync();
        await using var next = await new CacheReplica(fixture.ConnectionString).ConnectedAsync();
        // Each master holds writes for a different time (reads still answer), as masters under uneven load would.
        for (var i = 0; i < fixture.Cluster.Ports.Count; i++)
        {
            await fixture.Cluster.CliAsync(fixture.Cluster.Ports[i], "CLIENT", "PAUSE", (300 + 700 * i).ToString(), "WRITE");
        }

        var sessions = Enumerable.Range(0, 300).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        foreach (var sessionId in sessions)
        {
            stopping.Sessions.Save(sessionId, [7], Lifetime);
        }

        // A stopping gateway stops its writer, then lets go of the connection: once the writer has stopped, every
        // session it held must be readable on every master, with no retry.
        await stopping.Writes.DisposeAsync();

        var found = await Task.WhenAll(sessions.Select(sessionId => next.Sessions.FindAsync(sessionId, CancellationToken.None)));
        Assert.Equal(0, found.Count(state => state is null));
    }
}
