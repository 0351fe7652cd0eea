using RdsPlatform.SessionHost.Connections;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Cache;

/// <summary>
/// Sessions in the shared cache, one string key with an expiry each (<c>rds:gw:session:{id}</c>), and a marker for each
/// ended one (<c>rds:gw:session-ended:{id}</c>, kept as long as a session lives) that replicas holding it in process read.
/// </summary>
public sealed class RedisSessionStore(GatewayCache cache, CacheWriteQueue writes) : ISessionStore
{
    public Task<bool> SaveAsync(string sessionId, byte[] state, TimeSpan lifetime, CancellationToken cancellationToken) =>
        writes.SetAsync(Key(sessionId), state, lifetime, cancellationToken);

    public async Task<byte[]?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        var value = await cache.ReadAsync(db => db.StringGetAsync(Key(sessionId)), RedisValue.Null, cancellationToken);
        return value.IsNullOrEmpty ? null : (byte[]?)value;
    }

    public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken) => writes.DeleteAsync(Key(sessionId), cancellationToken);

    public Task MarkEndedAsync(string sessionId, TimeSpan remember, CancellationToken cancellationToken) =>
        cache.WriteAsync(db => db.StringSetAsync(EndedKey(sessionId), 1, remember), false, cancellationToken);

    public Task<bool> HasEndedAsync(string sessionId, CancellationToken cancellationToken) =>
        cache.ReadAsync(db => db.KeyExistsAsync(EndedKey(sessionId)), false, cancellationToken);

    private static RedisKey EndedKey(string sessionId) => $"{GatewayCache.KeyPrefix}session-ended:{sessionId}";

    private static RedisKey Key(string sessionId) => $"{GatewayCache.KeyPrefix}session:{sessionId}";
}
