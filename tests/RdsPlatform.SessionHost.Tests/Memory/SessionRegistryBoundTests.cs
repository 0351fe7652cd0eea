using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RdsPlatform.SessionHost.Cache;
using RdsPlatform.SessionHost.Connections;

namespace RdsPlatform.SessionHost.Tests.Memory;

/// <summary>
/// The gateway's session registry in process, with no shared cache (its stores then keep nothing, as in a gateway started
/// without <c>ConnectionStrings:cache</c>): it holds <see cref="GatewayOptions.SessionCacheCapacity"/> sessions, lets the
/// least recently used go first, and gives back each session exactly as it was started, whatever its packed form.
/// </summary>
public sealed class SessionRegistryBoundTests : IAsyncLifetime
{
    private const int Capacity = 60;
    private readonly CacheWriteQueue _writes;
    private readonly SessionRegistry _registry;

    public SessionRegistryBoundTests()
    {
        var options = Options.Create(new GatewayOptions { SessionCacheCapacity = Capacity });
        var cache = new GatewayCache(options, NullLogger<GatewayCache>.Instance);
        _writes = new CacheWriteQueue(cache);
        _registry = new SessionRegistry(new RedisSessionStore(cache, _writes, new GatewayReplicas(cache, options, NullLogger<GatewayReplicas>.Instance)), options);
    }

    [Fact]
    public async Task ARegistryOfCapacityNHoldsNSessionsAndTheLatestOneAmongThem()
    {
        var started = await StartAllAsync(Enumerable.Range(0, 3 * Capacity).Select(Session));

        Assert.Equal(Capacity, _registry.Count);
        var held = 0;
        foreach (var session in started)
        {
            held += await _registry.FindAsync(session.SessionId, CancellationToken.None) is { } found && found == session ? 1 : 0;
        }

        Assert.Equal(Capacity, held);
        Assert.Equal(started[^1], await _registry.FindAsync(started[^1].SessionId, CancellationToken.None));
    }

    [Fact]
    public async Task ASessionSignedInAgainAndAgainStaysWhileSessionsNobodyReadsLeave()
    {
        // A full registry first (the in-process LRU fills its queues before it starts to evict), then the session to keep.
        for (var i = 0; i < 2 * Capacity; i++)
        {
            await _registry.StartAsync(Session(i), CancellationToken.None);
        }

        var kept = await _registry.StartAsync(Session(-1), CancellationToken.None);
        var unread = new List<SessionState>();
        for (var i = 0; i < 4 * Capacity; i++)
        {
            Assert.Equal(kept, await _registry.FindAsync(kept.SessionId, CancellationToken.None));
            unread.Add(await _registry.StartAsync(Session(i), CancellationToken.None));
        }

        Assert.Equal(kept, await _registry.FindAsync(kept.SessionId, CancellationToken.None));
        Assert.Equal(Capacity, _registry.Count);
        var stillHeld = 0;
        foreach (var session in unread)
        {
            stillHeld += await _registry.FindAsync(session.SessionId, CancellationToken.None) is null ? 0 : 1;
        }

        Assert.True(stillHeld < Capacity, $"{stillHeld} of {unread.Count} sessions nobody read are still held, with capacity {Capacity}.");
    }

    [Fact]
    public async Task ASessionComesBackWithEveryFieldItWasStartedWith()
    {
        var sessions = new[]
        {
            Session(1) with { LicenseId = null, CalExpiresAt = null, TemporaryCal = false, NotTracked = true, UserDomain = "" },
            Session(2) with { CalExpiresAt = new DateTimeOffset(2027, 3, 4, 5, 6, 7, TimeSpan.FromHours(-7)).AddTicks(1234567) },
            Session(3) with { ComputerName = "Büro-PC-ñ-日本", UserName = new string('u', 256), HardwareId = "" },
        };

        foreach (var session in sessions)
        {
            await _registry.StartAsync(session, CancellationToken.None);
            var found = await _registry.FindAsync(session.SessionId, CancellationToken.None);
            Assert.Equal(session, found);
            Assert.Equal(session.CalExpiresAt?.Offset, found!.CalExpiresAt?.Offset);
        }
    }

    [Fact]
    public async Task ManySessionsLongerThanASlotComeBackAndStayWithinTheBound()
    {
        var started = await StartAllAsync(Enumerable.Range(0, 2 * Capacity)
            .Select(i => Session(i) with { UserName = new string('ü', 200 + i), ComputerName = $"PC-{i}-日本" }));

        Assert.Equal(Capacity, _registry.Count);
        Assert.Equal(started[^1], await _registry.FindAsync(started[^1].SessionId, CancellationToken.None));
        await _registry.StartAsync(Session(1), CancellationToken.None);
        Assert.Equal(Capacity, _registry.Count);
    }

    [Fact]
    public async Task ASessionIsFoundOnlyByTheExactIdItWasStartedWith()
    {
        var session = await _registry.StartAsync(Session(1), CancellationToken.None);

        Assert.Null(await _registry.FindAsync(session.SessionId.ToUpperInvariant(), CancellationToken.None));
        Assert.Null(await _registry.FindAsync(Guid.Parse(session.SessionId).ToString("D"), CancellationToken.None));
        Assert.Equal(session, await _registry.FindAsync(session.SessionId, CancellationToken.None));
    }

    [Fact]
    public async Task AnEndedSessionIsGoneAndItsPlaceIsTakenByTheNext()
    {
        var sessions = await StartAllAsync(Enumerable.Range(0, Capacity).Select(Session));

        Assert.True(await _registry.EndAsync(sessions[3].SessionId, CancellationToken.None));
        Assert.Null(await _registry.FindAsync(sessions[3].SessionId, CancellationToken.None));
        Assert.False(await _registry.EndAsync(sessions[3].SessionId, CancellationToken.None));
        var next = await _registry.StartAsync(Session(Capacity), CancellationToken.None);

        Assert.Equal(Capacity, _registry.Count);
        foreach (var session in sessions.Where((_, i) => i != 3).Append(next))
        {
            Assert.Equal(session, await _registry.FindAsync(session.SessionId, CancellationToken.None));
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _writes.DisposeAsync();

    private async Task<List<SessionState>> StartAllAsync(IEnumerable<SessionState> sessions)
    {
        var started = new List<SessionState>();
        foreach (var session in sessions)
        {
            started.Add(await _registry.StartAsync(session, CancellationToken.None));
        }

        return started;
    }

    private static SessionState Session(int i) => new(Guid.NewGuid().ToString("N"), "rdsh-bound", $"hw-{i}", $"PC-{i}", "CONTOSO", $"user{i}",
        Guid.NewGuid(), i % 2 == 0, new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i), false);
}
