using RdsPlatform.Licensing;
using RdsPlatform.SessionHost.Connections;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.SharedCache;

/// <summary>
/// What one gateway replica writes to the shared cache another replica reads: sessions (and that they ended), token
/// states, revocations and host-change notices, each through its own connection, on one server and on a Redis Cluster alike.
/// </summary>
public abstract class SharedCacheStoreContractTests<TCache>(TCache cache) : IClassFixture<TCache> where TCache : class, ISharedCache
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task ASessionSavedOnOneReplicaIsFoundAndDeletedOnAnother()
    {
        await using var first = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        await using var second = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        var sessionId = Guid.NewGuid().ToString("N");

        Assert.True(await first.Sessions.SaveAsync(sessionId, [1, 2, 3], Lifetime, CancellationToken.None));

        var stored = await second.Sessions.FindAsync(sessionId, CancellationToken.None);
        Assert.Equal([1, 2, 3], stored?.State);
        Assert.InRange(stored!.ExpiresIn!.Value, Lifetime - TimeSpan.FromMinutes(1), Lifetime);
        Assert.True(await second.Sessions.DeleteAsync(sessionId, CancellationToken.None));
        Assert.Null(await first.Sessions.FindAsync(sessionId, CancellationToken.None));
    }

    [Fact]
    public async Task ASessionStartedOnOneReplicaIsFoundWithEveryFieldOnAnotherAsSoonAsItsStartAnswers()
    {
        await using var first = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        await using var second = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        var session = Session() with { ComputerName = "Büro-PC-ñ-日本", UserName = new string('u', 256) };

        // Connect answers with the session id once StartAsync does; the client's next call may reach the other replica at once.
        await first.Registry.StartAsync(session, CancellationToken.None);

        Assert.Equal(session, await second.Registry.FindAsync(session.SessionId, CancellationToken.None));
    }

    [Fact]
    public async Task ASessionReadFromTheCacheIsHeldByTheReplicaThatReadItUntilTheCacheWouldHaveExpiredIt()
    {
        var lifetime = TimeSpan.FromSeconds(1.5);
        await using var first = await new CacheReplica(cache.ConnectionString, o => o.SessionLifetime = lifetime).ConnectedAsync();
        await using var second = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        var session = Session();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await first.Registry.StartAsync(session, CancellationToken.None);
        Assert.Equal(session, await second.Registry.FindAsync(session.SessionId, CancellationToken.None));

        // Gone from the cache without an ended mark (flushed, evicted): the replica that read it still holds it.
        await second.Connection.GetDatabase().KeyDeleteAsync($"rds:gw:session:{session.SessionId}");
        Assert.Equal(session, await second.Registry.FindAsync(session.SessionId, CancellationToken.None));

        // Held for what the cache had left of the session's lifetime, not a lifetime of its own.
        await Task.Delay(lifetime - started.Elapsed + TimeSpan.FromMilliseconds(200));
        Assert.Null(await second.Registry.FindAsync(session.SessionId, CancellationToken.None));
    }

    [Fact]
    public async Task ASessionAnEarlierVersionWroteAsJsonIsFoundOnThisOne()
    {
        // Until 2026-12 replicas wrote sessions to the cache as JSON; during a rolling upgrade this version still reads them.
        await using var earlier = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        await using var current = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        var session = Session();

        await earlier.Sessions.SaveAsync(session.SessionId, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(session), Lifetime, CancellationToken.None);

        Assert.Equal(session, await current.Registry.FindAsync(session.SessionId, CancellationToken.None));
    }

    [Fact]
    public async Task AReplicaToldToWriteJsonSessionsWritesTheFormEarlierVersionsRead()
    {
        await using var upgraded = await new CacheReplica(cache.ConnectionString, o => o.WriteJsonSessions = true).ConnectedAsync();
        await using var other = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        var session = Session();

        await upgraded.Registry.StartAsync(session, CancellationToken.None);

        var stored = await other.Sessions.FindAsync(session.SessionId, CancellationToken.None);
        Assert.Equal(session, System.Text.Json.JsonSerializer.Deserialize<SessionState>(stored!.State));
        Assert.Equal(session, await other.Registry.FindAsync(session.SessionId, CancellationToken.None));
    }

    [Fact]
    public async Task ASessionMarkedEndedOnOneReplicaIsSeenEndedOnAnotherAtOnce()
    {
        await using var first = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        await using var second = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        var sessionId = Guid.NewGuid().ToString("N");
        Assert.False(await second.Sessions.HasEndedAsync(sessionId, CancellationToken.None));

        await first.Sessions.MarkEndedAsync(sessionId, Lifetime, CancellationToken.None);

        Assert.True(await second.Sessions.HasEndedAsync(sessionId, CancellationToken.None));
        Assert.False(await second.Sessions.HasEndedAsync(Guid.NewGuid().ToString("N"), CancellationToken.None));
    }

    [Fact]
    public async Task ATokenStateSavedOnOneReplicaIsFoundOnAnotherWhateverTheCaseOfItsSubject()
    {
        await using var first = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        await using var second = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        var subject = $"Device-{Guid.NewGuid():N}";

        first.Tokens.Save(CalType.PerDevice, subject, [4, 5], Lifetime);

        Assert.Equal([4, 5], await EventuallyFoundAsync(() => second.Tokens.FindAsync(CalType.PerDevice, subject.ToLowerInvariant(), CancellationToken.None)));
        Assert.Null(await second.Tokens.FindAsync(CalType.PerUser, subject, CancellationToken.None));
    }

    [Fact]
    public async Task ARevocationSharedByOneReplicaReachesAnotherAndStaysInTheSet()
    {
        await using var first = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        await using var second = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        var heard = new TaskCompletionSource<Guid>(TaskCreationOptions.RunContinuationsAsynchronously);
        var licenseId = Guid.NewGuid();
        await second.Revocations.SubscribeAsync(id =>
        {
            if (id == licenseId)
            {
                heard.TrySetResult(id);
            }
        });

        first.Revocations.Share(licenseId);

        Assert.Equal(licenseId, await heard.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(licenseId, await second.Revocations.ReadAllAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AHostChangeAnnouncedByOneReplicaReachesAnother()
    {
        await using var first = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        await using var second = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        var hostId = $"rdsh-{Guid.NewGuid():N}";
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await second.HostChanges.SubscribeAsync(changed =>
        {
            if (changed == hostId)
            {
                heard.TrySetResult(changed);
            }
        });

        first.HostChanges.Announce(hostId);

        Assert.Equal(hostId, await heard.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WritesNobodyWaitsForAreGatheredUntilAWriteSomeoneWaitsForSendsThemWithItAtOnce()
    {
        // A gathering window far longer than the test: only the waited-for write can send the others.
        await using var first = await new CacheReplica(cache.ConnectionString, o => o.CacheWriteCoalescing = TimeSpan.FromMinutes(1)).ConnectedAsync();
        var (keys, waited) = GatheredKeys();
        foreach (var key in keys)
        {
            first.Writes.Set(key, "gathered", Lifetime);
        }

        var database = first.Connection.GetDatabase();
        await Task.Delay(300);
        Assert.False(await database.KeyExistsAsync(keys[0]), "A write nobody waits for left before its gathering window ended.");

        // Within Gateway:CacheTimeout (500 ms), not the window: a Disconnect or a session other replicas read next is not delayed.
        Assert.True(await first.Writes.SetAsync(waited, "waited", Lifetime, CancellationToken.None));
        foreach (var key in keys)
        {
            Assert.Equal("gathered", (string?)await database.StringGetAsync(key));
        }
    }

    [Fact]
    public async Task AStoppingReplicaSendsTheWritesItIsGathering()
    {
        var first = await new CacheReplica(cache.ConnectionString, o => o.CacheWriteCoalescing = TimeSpan.FromMinutes(1)).ConnectedAsync();
        await using var second = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        var (keys, _) = GatheredKeys();
        foreach (var key in keys)
        {
            first.Writes.Set(key, "gathered", Lifetime);
        }

        await first.DisposeAsync();

        var database = second.Connection.GetDatabase();
        foreach (var key in keys)
        {
            Assert.Equal("gathered", (string?)await database.StringGetAsync(key));
        }
    }

    // Keys of one hash slot (a Redis Cluster keeps them on one master, whose connection applies them in the order sent).
    private static (List<StackExchange.Redis.RedisKey> Keys, StackExchange.Redis.RedisKey Waited) GatheredKeys()
    {
        var tag = Guid.NewGuid().ToString("N");
        return (Enumerable.Range(0, 20).Select(i => (StackExchange.Redis.RedisKey)$"rds:test:{{{tag}}}:{i}").ToList(), $"rds:test:{{{tag}}}:waited");
    }

    // Saves leave through the replica's background writer: a read right after Save may come a moment early.
    private static SessionState Session() => new(Guid.NewGuid().ToString("N"), "rdsh-contract", "hw-contract", "PC-contract", "CONTOSO",
        "alice", Guid.NewGuid(), true, new DateTimeOffset(2027, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)), false);

    private static async Task<T> EventuallyFoundAsync<T>(Func<Task<T?>> find) where T : class
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await find() is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("The other replica never found the value in the shared cache (5 s).");
    }
}

/// <summary>The shared-cache contract on one Redis-protocol server (Garnet).</summary>
public sealed class SharedCacheStoreOnOneServerTests(GarnetFixture cache) : SharedCacheStoreContractTests<GarnetFixture>(cache);

/// <summary>The shared-cache contract on a 3-master Redis Cluster.</summary>
public sealed class SharedCacheStoreOnRedisClusterTests(RedisClusterFixture cache) : SharedCacheStoreContractTests<RedisClusterFixture>(cache);
