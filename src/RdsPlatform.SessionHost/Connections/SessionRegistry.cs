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

// Sessions that earlier versions wrote to the shared cache as JSON (this one writes SessionCodec's packed form).
[JsonSerializable(typeof(SessionState))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;

/// <summary>
/// Sessions live in process with an expiry, at most <see cref="GatewayOptions.SessionCacheCapacity"/> of them (those not
/// read recently leave first; <see cref="SessionSlots"/>; one read from the cache is held again), and in the shared
/// cache, the store of record beyond that bound (written through a coalescing writer, through <see cref="ISessionStore"/>,
/// before Connect answers while other replicas share the cache) so that SignIn and Disconnect work on any replica and
/// for sessions no longer held here.
/// A session ended on any replica is marked ended in the shared cache, and a session held here is checked against that
/// mark before it is used, at most once per <see cref="GatewayOptions.SessionEndedCheckInterval"/> (SignIn of a session
/// held here stays a call without a cache round trip). Expiry uses operational time: a session is not a licensing fact.
/// </summary>
public sealed class SessionRegistry(ISessionStore shared, IOptions<GatewayOptions> options)
{
    private readonly SessionSlots _sessions = new(options.Value.SessionCacheCapacity);

    // When each recently signed-in session was last found not ended in the shared store, plus the check interval: bounded
    // apart from the sessions (a check forgotten early only costs one more round trip).
    private readonly FastConcurrentLru<string, long> _notEndedUntil =
        new(Environment.ProcessorCount, Math.Clamp(options.Value.SessionCacheCapacity, 3, 10_000), StringComparer.Ordinal);

    public int Count => _sessions.Count;

    /// <summary>
    /// Holds a session here and stores it in the shared cache; while other replicas share the cache, answers once the cache
    /// has it (or did not answer within Gateway:CacheTimeout): the caller hands the id to a client whose next call may
    /// reach another replica.
    /// </summary>
    public async Task<SessionState> StartAsync(SessionState session, CancellationToken cancellationToken)
    {
        var lifetime = options.Value.SessionLifetime;
        // Serialised once: the same packed array is copied into a slot here and queued for the shared cache (the array then
        // dies young, once the writer sent it). Earlier versions wrote JSON there; FindAsync still reads it.
        var packed = SessionCodec.Encode(session);
        _sessions.Put(session.SessionId, packed, Environment.TickCount64 + (long)lifetime.TotalMilliseconds);
        await shared.SaveAsync(session.SessionId, options.Value.WriteJsonSessions
            ? JsonSerializer.SerializeToUtf8Bytes(session, SessionJsonContext.Default.SessionState) : packed, lifetime, cancellationToken);
        return session;
    }

    public Task<SessionState> UpdateAsync(SessionState session, CancellationToken cancellationToken) => StartAsync(session, cancellationToken);

    /// <summary>
    /// The session, or null when it expired or any replica ended it. A session held here is checked against the shared
    /// store's ended marker (one cache round trip; none without a cache) at most once per
    /// <see cref="GatewayOptions.SessionEndedCheckInterval"/>: another replica may have disconnected it, and that replica
    /// cannot reach this process's memory.
    /// </summary>
    public async Task<SessionState?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (_sessions.TryFind(sessionId, Environment.TickCount64, out var held))
        {
            if (held is not null && !await EndedElsewhereAsync(sessionId, cancellationToken))
            {
                return held;
            }

            _sessions.Remove(sessionId, Environment.TickCount64);
            return null;
        }

        // Both asked at once (one round trip): a replica that saved the session again after another ended it
        // (a SignIn racing the Disconnect) must not bring it back.
        var found = shared.FindAsync(sessionId, cancellationToken);
        var ended = shared.HasEndedAsync(sessionId, cancellationToken);
        var (stored, hasEnded) = (await found, await ended);
        if (stored is null || hasEnded)
        {
            return null;
        }

        var packed = SessionCodec.IsPacked(stored.State);
        var session = packed ? SessionCodec.Decode(sessionId, stored.State)
            : JsonSerializer.Deserialize(stored.State, SessionJsonContext.Default.SessionState);
        if (session is not null && stored.ExpiresIn is { } left && left > TimeSpan.Zero)
        {
            // Held here from now on, until the cache lets it expire: the session's next SignIn on this replica (one started
            // on another, or one pushed out of this process by newer sessions) needs no cache read, only the ended check.
            _sessions.Put(sessionId, packed ? stored.State : SessionCodec.Encode(session), Environment.TickCount64 + (long)left.TotalMilliseconds);
        }

        return session;
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
        var local = _sessions.Remove(sessionId, Environment.TickCount64);
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
    public void Sweep() => _sessions.RemoveExpired(Environment.TickCount64);
}
