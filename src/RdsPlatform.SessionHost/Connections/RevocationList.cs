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

    // Learned while the cache was away: published when it is back, or replicas that rely on the cache would never hear of them.
    private readonly ConcurrentQueue<Guid> _unshared = new();

    public int Count => _revoked.Count;

    public bool IsRevoked(Guid licenseId) => _revoked.ContainsKey(licenseId);

    /// <summary>Records a revocation learned here and tells the other replicas.</summary>
    public void Add(Guid licenseId)
    {
        if (_revoked.TryAdd(licenseId, 0))
        {
            Share(licenseId);
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
        cache.WhenRestored(() => _ = ReshareAsync());
        await cache.SubscribeAsync(Channel, Observe);
        await ReadSharedAsync(cancellationToken);
    }

    private void Share(Guid licenseId)
    {
        if (!cache.IsConnected)
        {
            _unshared.Enqueue(licenseId);
            return;
        }

        var value = licenseId.ToString();
        cache.Send(db => db.SetAdd(SetKey, value, CommandFlags.FireAndForget));
        cache.Publish(Channel, value);
    }

    /// <summary>
    /// After a cache outage (or a cache that restarted empty): puts every known revocation back in the set, publishes the ones
    /// learned meanwhile, and reads what the other replicas shared while this one was cut off.
    /// </summary>
    private async Task ReshareAsync()
    {
        var known = _revoked.Keys.Select(id => (RedisValue)id.ToString()).ToArray();
        if (known.Length > 0)
        {
            cache.Send(db => db.SetAdd(SetKey, known, CommandFlags.FireAndForget));
        }

        for (var pending = _unshared.Count; pending > 0 && _unshared.TryDequeue(out var licenseId); pending--)
        {
            Share(licenseId);
        }

        await ReadSharedAsync(CancellationToken.None);
    }

    private async Task ReadSharedAsync(CancellationToken cancellationToken)
    {
        var shared = await cache.TryAsync(db => db.SetMembersAsync(SetKey), [], cancellationToken);
        foreach (var value in shared)
        {
            Observe(value);
        }
    }
}
