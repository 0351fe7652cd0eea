using RdsPlatform.SessionHost.Connections;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Cache;

/// <summary>Sessions in the shared cache, one string key with an expiry each (<c>rds:gw:session:{id}</c>).</summary>
public sealed class RedisSessionStore(GatewayCache cache, CacheWriteQueue writes) : ISessionStore
{
    public void Save(string sessionId, byte[] state, TimeSpan lifetime) => writes.Set(Key(sessionId), state, lifetime);

    public async Task<byte[]?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        var value = await cache.ReadAsync(db => db.StringGetAsync(Key(sessionId)), RedisValue.Null, cancellationToken);
        return value.IsNullOrEmpty ? null : (byte[]?)value;
    }

    public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken) => writes.DeleteAsync(Key(sessionId), cancellationToken);

    private static RedisKey Key(string sessionId) => $"{GatewayCache.KeyPrefix}session:{sessionId}";
}
