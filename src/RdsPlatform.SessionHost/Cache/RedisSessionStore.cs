using RdsPlatform.SessionHost.Connections;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Cache;

/// <summary>
/// Sessions in the shared cache, one string key with an expiry each (<c>rds:gw:session:{id}</c>), and a marker for each
/// ended one (<c>rds:gw:session-ended:{id}</c>, kept as long as a session lives) that replicas holding it in process read.
/// </summary>
public sealed class RedisSessionStore(GatewayCache cache, CacheWriteQueue writes, GatewayReplicas replicas) : ISessionStore
{
    private static readonly Task<bool> NotAwaited = Task.FromResult(false);

    /// <summary>
    /// Awaited while another replica is known (<see cref="GatewayReplicas"/>): that replica may take the client's next
    /// call. Alone, the write leaves through the coalescing writer and nobody waits (false).
    /// </summary>
    public Task<bool> SaveAsync(string sessionId, byte[] state, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        if (replicas.OthersKnown)
        {
            return writes.SetAsync(Key(sessionId), state, lifetime, cancellationToken);
        }

        writes.Set(Key(sessionId), state, lifetime);
        return NotAwaited;
    }

    /// <summary>GET and PTTL of the session's key, pipelined (one round trip).</summary>
    public async Task<StoredSession?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        var found = await cache.ReadAsync(db => db.StringGetWithExpiryAsync(Key(sessionId)), default, cancellationToken);
        return found.Value.IsNullOrEmpty ? null : new StoredSession((byte[])found.Value!, found.Expiry);
    }

    public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken) => writes.DeleteAsync(Key(sessionId), cancellationToken);

    public Task MarkEndedAsync(string sessionId, TimeSpan remember, CancellationToken cancellationToken) =>
        cache.WriteAsync(db => db.StringSetAsync(EndedKey(sessionId), 1, remember), false, cancellationToken);

    public Task<bool> HasEndedAsync(string sessionId, CancellationToken cancellationToken) =>
        cache.ReadAsync(db => db.KeyExistsAsync(EndedKey(sessionId)), false, cancellationToken);

    private static RedisKey EndedKey(string sessionId) => $"{GatewayCache.KeyPrefix}session-ended:{sessionId}";

    private static RedisKey Key(string sessionId) => $"{GatewayCache.KeyPrefix}session:{sessionId}";
}
