using RdsPlatform.SessionHost.Connections;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Cache;

/// <summary>Host-change notices over the shared cache's pub/sub channel <c>rds:gw:hosts-changed</c>.</summary>
public sealed class RedisHostChangeNotices(GatewayCache cache) : IHostChangeNotices
{
    public static readonly RedisChannel Channel = RedisChannel.Literal(GatewayCache.KeyPrefix + "hosts-changed");

    public void Announce(string hostId) => cache.Publish(Channel, hostId);

    public Task SubscribeAsync(Action<string> onChanged) => cache.SubscribeAsync(Channel, value => onChanged(value.ToString()));
}
