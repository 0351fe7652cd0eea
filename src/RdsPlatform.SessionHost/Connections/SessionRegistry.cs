// The gateway's admitted sessions, in process and in the shared store.
using BitFaster.Caching.Lru;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>An admitted connection, kept for SignIn and Disconnect.</summary>
/// <param name="LicenseId">The CAL in effect when admitted (null during grace without one).</param>
public sealed record SessionState(
    string SessionId,
    string HostId,
    string HardwareId,
    string ComputerName,
    string UserDomain,
    string UserName,
    Guid? LicenseId,
    bool TemporaryCal,
    DateTimeOffset? CalExpiresAt,
    bool NotTracked);

[JsonSerializable(typeof(SessionState))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;

/// <summary>
/// Sessions live in process with an expiry, at most <see cref="GatewayOptions.SessionCacheCapacity"/> of them (least
/// recently used leave first), and in the shared cache, the store of record beyond that bound (written through a
/// coalescing writer, through <see cref="ISessionStore"/>) so that SignIn and Disconnect work on any replica and for sessions no longer held here.
/// A session ended on any replica is marked ended in the shared cache, and a session held here is checked against that
/// mark before it is used, at most once per <see cref="GatewayOptions.SessionEndedCheckInterval"/> (SignIn of a session
/// held here stays a call without a cache round trip). Expiry uses operational time: a session is not a licensing fact.
/// </summary>
public sealed class SessionRegistry(ISessionStore shared, IOptions<GatewayOptions> options)
{
    private readonly FastConcurrentLru<string, Entry> _sessions =
        new(Environment.ProcessorCount, options.Value.SessionCacheCapacity, StringComparer.Ordinal);

    // When each recently signed-in session was last found not ended in the shared store, plus the check interval: bounded
    // apart from the sessions (a check forgotten early only costs one more round trip).
    private readonly FastConcurrentLru<string, long> _notEndedUntil =
        new(Environment.ProcessorCount, Math.Clamp(options.Value.SessionCacheCapacity, 3, 10_000), StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public SessionState Start(SessionState session)
    {
        var lifetime = options.Value.SessionLifetime;
        // Kept as one flat array (SessionCodec), not as the record and its six strings: every admitted Connect adds one and
        // the bound pushes one out, so sessions outlive gen0 by the thousand, and fewer, smaller objects are cheaper for the
        // GC to mark and promote and to hold (the gateway's resident memory). The shared cache gets the JSON every replica reads.
        _sessions.AddOrUpdate(session.SessionId, new Entry(SessionCodec.Encode(session, Environment.TickCount64 + (long)lifetime.TotalMilliseconds)));
        shared.Save(session.SessionId, JsonSerializer.SerializeToUtf8Bytes(session, SessionJsonContext.Default.SessionState), lifetime);
        return session;
    }

    public void Update(SessionState session) => Start(session);

    /// <summary>
    /// The session, or null when it expired or any replica ended it. A session held here is checked against the shared
    /// store's ended marker (one cache round trip; none without a cache) at most once per
    /// <see cref="GatewayOptions.SessionEndedCheckInterval"/>: another replica may have disconnected it, and that replica
    /// cannot reach this process's memory.
    /// </summary>
    public async Task<SessionState?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (_sessions.TryGet(sessionId, out var entry))
        {
            if (entry.ExpiresAtTicks > Environment.TickCount64 && !await EndedElsewhereAsync(sessionId, cancellationToken))
            {
                return SessionCodec.Decode(sessionId, entry.Packed);
            }

            _sessions.TryRemove(sessionId);
            return null;
        }

        // Both asked at once (one round trip): a replica that saved the session again after another ended it
        // (a SignIn racing the Disconnect) must not bring it back.
        var found = shared.FindAsync(sessionId, cancellationToken);
        var ended = shared.HasEndedAsync(sessionId, cancellationToken);
        var (json, hasEnded) = (await found, await ended);
        return json is null || hasEnded ? null : JsonSerializer.Deserialize(json, SessionJsonContext.Default.SessionState);
    }

    /// <summary>
    /// Ends a session on every replica; false when no replica knew it. The shared store marks it ended before this
    /// answers, for as long as any replica may hold it in process (<see cref="GatewayOptions.SessionLifetime"/>).
    /// </summary>
    public async Task<bool> EndAsync(string sessionId, CancellationToken cancellationToken)
    {
        // A call cancelled before it starts changes nothing. Once started, the delete and the mark run to their end (each
        // bounded by Gateway:CacheTimeout) even if the caller stops waiting: the cache applies a queued delete anyway, and
        // a session deleted but not marked would still be signed in on the replica holding it.
        cancellationToken.ThrowIfCancellationRequested();
        var local = _sessions.TryRemove(sessionId, out var entry) && entry.ExpiresAtTicks > Environment.TickCount64;
        _notEndedUntil.TryRemove(sessionId);
        var stored = await shared.DeleteAsync(sessionId, CancellationToken.None);
        if (local || stored)
        {
            await shared.MarkEndedAsync(sessionId, options.Value.SessionLifetime, CancellationToken.None);
        }

        return local || stored;
    }

    /// <summary>
    /// Whether another replica ended a session held here, asked of the shared store unless a check less than the interval
    /// old said no. The time is taken before asking, so an answer is never trusted past the interval after it was current.
    /// </summary>
    private async ValueTask<bool> EndedElsewhereAsync(string sessionId, CancellationToken cancellationToken)
    {
        var now = Environment.TickCount64;
        if (_notEndedUntil.TryGet(sessionId, out var until) && until > now)
        {
            return false;
        }

        if (await shared.HasEndedAsync(sessionId, cancellationToken))
        {
            return true;
        }

        var interval = (long)options.Value.SessionEndedCheckInterval.TotalMilliseconds;
        if (interval > 0)
        {
            _notEndedUntil.AddOrUpdate(sessionId, now + interval);
        }

        return false;
    }

    /// <summary>Forgets expired sessions (called periodically).</summary>
    public void Sweep()
    {
        var now = Environment.TickCount64;
        foreach (var (id, entry) in _sessions)
        {
            if (entry.ExpiresAtTicks <= now)
            {
                _sessions.TryRemove(id);
            }
        }
    }

    /// <summary>A held session: its packed array only (a struct, so the LRU entry holds the array without a wrapper object).</summary>
    private readonly record struct Entry(byte[] Packed)
    {
        public long ExpiresAtTicks => SessionCodec.ExpiresAt(Packed);
    }
}
