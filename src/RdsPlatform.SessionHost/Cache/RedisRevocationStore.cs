using RdsPlatform.SessionHost.Connections;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Cache;

/// <summary>Revoked ids in the shared cache: the set <c>rds:gw:revoked</c> and the pub/sub channel <c>rds:gw:revocations</c>.</summary>
public sealed class RedisRevocationStore(GatewayCache cache) : IRevocationStore
{
    public static readonly RedisKey SetKey = GatewayCache.KeyPrefix + "revoked";
    public static readonly RedisChannel Channel = RedisChannel.Literal(GatewayCache.KeyPrefix + "revocations");

    public bool IsAvailable => cache.IsConnected;

    public void WhenRestored(Action action) => cache.WhenRestored(action);

    public void Share(Guid licenseId)
    {
        var value = licenseId.ToString();
        cache.Send(db => db.SetAdd(SetKey, value, CommandFlags.FireAndForget));
        cache.Publish(Channel, value);
    }

    public void Restore(IReadOnlyCollection<Guid> licenseIds)
    {
        if (licenseIds.Count > 0)
        {
            var values = licenseIds.Select(id => (RedisValue)id.ToString()).ToArray();
            cache.Send(db => db.SetAdd(SetKey, values, CommandFlags.FireAndForget));
        }
    }

    public async Task<IReadOnlyList<Guid>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var members = await cache.ReadAsync(db => db.SetMembersAsync(SetKey), [], cancellationToken);
        var ids = new List<Guid>(members.Length);
        foreach (var member in members)
        {
            if (Guid.TryParse(member.ToString(), out var id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    public Task SubscribeAsync(Action<Guid> onShared) => cache.SubscribeAsync(Channel, value =>
    {
        if (Guid.TryParse(value.ToString(), out var id))
        {
            onShared(id);
        }
    });
}
