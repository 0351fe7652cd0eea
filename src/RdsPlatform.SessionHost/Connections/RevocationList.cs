using System.Collections.Concurrent;
using RdsPlatform.Licensing;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>
/// License ids revoked on any license server, held in process so that checking a certificate needs no network call.
/// Replicas share what they learn through a cache set (for replicas that start later) and a pub/sub channel (within a second).
/// </summary>
public sealed class RevocationList(GatewayCache cache) : IRevocationList
{
    public static readonly RedisKey SetKey = GatewayCache.KeyPrefix + "revoked";
    public static readonly RedisChannel Channel = RedisChannel.Literal(GatewayCache.KeyPrefix + "revocations");

    private readonly ConcurrentDictionary<Guid, byte> _revoked = new();

    public int Count => _revoked.Count;

    public bool IsRevoked(Guid licenseId) => _revoked.ContainsKey(licenseId);

    /// <summary>Records a revocation learned here and tells the other replicas.</summary>
    public void Add(Guid licenseId)
    {
        if (_revoked.TryAdd(licenseId, 0))
        {
            var value = licenseId.ToString();
            cache.Send(db => db.SetAdd(SetKey, value, CommandFlags.FireAndForget));
            cache.Publish(Channel, value);
        }
    }

    /// <summary>Records a revocation another replica shared.</summary>
    public void Observe(RedisValue value)
    {
        if (Guid.TryParse(value.ToString(), out var id))
        {
            _revoked.TryAdd(id, 0);
        }
    }

    public async Task LoadSharedAsync(CancellationToken cancellationToken)
    {
        await cache.SubscribeAsync(Channel, Observe);
        var shared = await cache.TryAsync(db => db.SetMembersAsync(SetKey), [], cancellationToken);
        foreach (var value in shared)
        {
            Observe(value);
        }
    }
}
