using RdsPlatform.Licensing;
using RdsPlatform.SessionHost.Connections;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Cache;

/// <summary>Token states in the shared cache, one string key per device or user (<c>rds:gw:token:{device|user}:{SUBJECT}</c>).</summary>
public sealed class RedisTokenStateStore(GatewayCache cache, CacheWriteQueue writes) : ITokenStateStore
{
    public void Save(CalType type, string subject, byte[] certificate, TimeSpan lifetime) => writes.Set(Key(type, subject), certificate, lifetime);

    public async Task<byte[]?> FindAsync(CalType type, string subject, CancellationToken cancellationToken)
    {
        var value = await cache.ReadAsync(db => db.StringGetAsync(Key(type, subject)), RedisValue.Null, cancellationToken);
        return value.IsNullOrEmpty ? null : (byte[]?)value;
    }

    // Subjects compare case-insensitively (as certificates do): one key whatever case the client sent.
    private static RedisKey Key(CalType type, string subject) =>
        $"{GatewayCache.KeyPrefix}token:{(type == CalType.PerUser ? "user" : "device")}:{subject.ToUpperInvariant()}";
}
