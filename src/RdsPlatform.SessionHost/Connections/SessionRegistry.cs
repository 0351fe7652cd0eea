using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

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
/// Sessions live in process with an expiry, and in the shared cache (written without waiting) so that SignIn and
/// Disconnect work on any replica. Expiry uses operational time: a session is not a licensing fact.
/// </summary>
public sealed class SessionRegistry(GatewayCache cache, IOptions<GatewayOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public SessionState Start(SessionState session)
    {
        var lifetime = options.Value.SessionLifetime;
        _sessions[session.SessionId] = new Entry(session, Environment.TickCount64 + (long)lifetime.TotalMilliseconds);
        var json = JsonSerializer.Serialize(session, SessionJsonContext.Default.SessionState);
        cache.Send(db => db.StringSet(Key(session.SessionId), json, lifetime, flags: CommandFlags.FireAndForget));
        return session;
    }

    public void Update(SessionState session) => Start(session);

    public async Task<SessionState?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (_sessions.TryGetValue(sessionId, out var entry))
        {
            if (entry.ExpiresAtTicks > Environment.TickCount64)
            {
                return entry.Session;
            }

            _sessions.TryRemove(sessionId, out _);
            return null;
        }

        var json = await cache.TryAsync(db => db.StringGetAsync(Key(sessionId)), RedisValue.Null, cancellationToken);
        return json.IsNullOrEmpty ? null : JsonSerializer.Deserialize((string)json!, SessionJsonContext.Default.SessionState);
    }

    /// <summary>Ends a session; false when no replica knew it.</summary>
    public async Task<bool> EndAsync(string sessionId, CancellationToken cancellationToken)
    {
        var local = _sessions.TryRemove(sessionId, out var entry) && entry.ExpiresAtTicks > Environment.TickCount64;
        var shared = await cache.TryAsync(db => db.KeyDeleteAsync(Key(sessionId)), false, cancellationToken);
        return local || shared;
    }

    /// <summary>Forgets expired sessions (called periodically).</summary>
    public void Sweep()
    {
        var now = Environment.TickCount64;
        foreach (var (id, entry) in _sessions)
        {
            if (entry.ExpiresAtTicks <= now)
            {
                _sessions.TryRemove(id, out _);
            }
        }
    }

    private static RedisKey Key(string sessionId) => $"{GatewayCache.KeyPrefix}session:{sessionId}";

    private sealed record Entry(SessionState Session, long ExpiresAtTicks);
}
