using RdsPlatform.SessionHost.Cache;
using RdsPlatform.Testing;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Tests.SharedCache;

/// <summary>
/// What only a Redis Cluster can get wrong: the client finds every master from the endpoints listed in
/// <c>ConnectionStrings:cache</c>, the gateway's keys spread over the masters instead of sharing one hash slot, a notice
/// published through any master reaches every subscriber, a stopping replica's writes reach every master they went to, and
/// a session start waits for its write no longer than Gateway:CacheTimeout when the masters hold writes.
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
        await Task.WhenAll(Enumerable.Range(0, 300)
            .Select(_ => replica.Sessions.SaveAsync(Guid.NewGuid().ToString("N"), [1], Lifetime, CancellationToken.None)));
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

        // Connects still waiting for their sessions' writes when the gateway is told to stop (some wait past
        // Gateway:CacheTimeout and answer anyway, the session held in process).
        var sessions = Enumerable.Range(0, 300).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        var saving = sessions.Select(sessionId => stopping.Sessions.SaveAsync(sessionId, [7], Lifetime, CancellationToken.None)).ToList();

        // A stopping gateway stops its writer, then lets go of the connection: once the writer has stopped, every
        // session it held must be readable on every master, with no retry.
        await stopping.Writes.DisposeAsync();
        await Task.WhenAll(saving);

        var found = await Task.WhenAll(sessions.Select(sessionId => next.Sessions.FindAsync(sessionId, CancellationToken.None)));
        Assert.Equal(0, found.Count(state => state is null));
    }

    [Fact]
    public async Task ASessionStartTheCacheDoesNotAcknowledgeInTimeAnswersAfterTheCacheTimeoutHeldInProcess()
    {
        var timeout = TimeSpan.FromMilliseconds(300);
        await using var starting = await new CacheReplica(fixture.ConnectionString, o => o.CacheTimeout = timeout).ConnectedAsync();
        await using var other = await new CacheReplica(fixture.ConnectionString).ConnectedAsync();
        var pause = TimeSpan.FromSeconds(4);
        foreach (var port in fixture.Cluster.Ports)
        {
            await fixture.Cluster.CliAsync(port, "CLIENT", "PAUSE", ((int)pause.TotalMilliseconds).ToString(), "WRITE");
        }

        var session = new Connections.SessionState(Guid.NewGuid().ToString("N"), "rdsh-paused", "hw-paused", "PC-paused", "CONTOSO", "alice",
            Guid.NewGuid(), false, null, false);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        await starting.Registry.StartAsync(session, CancellationToken.None);
        waited.Stop();

        // Connect answers once its wait gives up (not after the cache's 4 s pause), and the replica that started the
        // session signs it in from process; the write, still in flight, lands once the masters take writes again.
        Assert.True(waited.Elapsed >= timeout - TimeSpan.FromMilliseconds(50), $"The start answered after {waited.Elapsed}, before the cache could have answered.");
        Assert.True(waited.Elapsed < pause - TimeSpan.FromSeconds(1), $"The start waited {waited.Elapsed} for a cache that holds writes for {pause}; the bound is {timeout}.");
        Assert.Equal(session, await starting.Registry.FindAsync(session.SessionId, CancellationToken.None));
        var deadline = DateTime.UtcNow + pause + TimeSpan.FromSeconds(5);
        while (await other.Sessions.FindAsync(session.SessionId, CancellationToken.None) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "The session's late write never reached the cache.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task AReplicaAloneOnTheCacheAnswersASessionStartWithoutWaitingForItsWrite()
    {
        await using var alone = await new CacheReplica(fixture.ConnectionString, o => o.CacheTimeout = TimeSpan.FromSeconds(3)).ConnectedAsync();
        Assert.False(alone.Replicas.OthersKnown, "A replica alone on the cache counted another.");
        var pause = TimeSpan.FromSeconds(2);
        foreach (var port in fixture.Cluster.Ports)
        {
            await fixture.Cluster.CliAsync(port, "CLIENT", "PAUSE", ((int)pause.TotalMilliseconds).ToString(), "WRITE");
        }

        var session = new Connections.SessionState(Guid.NewGuid().ToString("N"), "rdsh-alone", "hw-alone", "PC-alone", "CONTOSO", "bob",
            null, true, null, false);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        await alone.Registry.StartAsync(session, CancellationToken.None);
        waited.Stop();

        // No replica could take the next call: the write leaves in the background, Connect does not wait the pause out.
        Assert.True(waited.Elapsed < pause / 2, $"A replica alone waited {waited.Elapsed} for its session's write (the masters hold writes for {pause}).");
        Assert.Equal(session, await alone.Registry.FindAsync(session.SessionId, CancellationToken.None));
    }

    [Fact]
    public async Task AReplicaThatJoinsIsReadyOnlyOnceTheRunningOneKnowsItWhichForgetsItAtItsNextAnnouncementAfterItLeaves()
    {
        await using var running = await new CacheReplica(fixture.ConnectionString, o => o.ReplicaAnnounceInterval = TimeSpan.FromMilliseconds(200))
            .ConnectedAsync();
        Assert.False(running.Replicas.OthersKnown);

        var joining = await new CacheReplica(fixture.ConnectionString, o => o.ReplicaAnnounceInterval = TimeSpan.FromMinutes(10)).ConnectedAsync();
        // The joining replica took calls only once the running one had answered that it knows it.
        Assert.True(joining.Replicas.OthersKnown, "A replica that joined did not count the one already running.");
        Assert.True(running.Replicas.OthersKnown, "The joining replica was ready before the running one knew of it.");

        await joining.DisposeAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (running.Replicas.OthersKnown)
        {
            Assert.True(DateTime.UtcNow < deadline, "The running replica still counted one that left, 10 s later.");
            await Task.Delay(50);
        }
    }
}
