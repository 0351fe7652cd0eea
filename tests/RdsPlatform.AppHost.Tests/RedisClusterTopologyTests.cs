using Aspire.Hosting;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.ServiceDefaults;
using RdsPlatform.Testing;
using StackExchange.Redis;

namespace RdsPlatform.AppHost.Tests;

/// <summary>
/// The topology with <c>Cache:Mode=redis-cluster</c>: the AppHost runs three redis-server nodes, forms a 3-master cluster
/// with redis-cli, and the services start once it is formed and keep their shared state in it.
/// </summary>
public sealed class RedisClusterTopologyFixture : AppHostTopology
{
    protected override IEnumerable<string> Arguments => ["--Cache:Mode=redis-cluster"];

    protected override IEnumerable<string> Resources => TopologyFixture.Services;
}

// In the topology collection so that it never runs beside the other topologies (2 shared cores).
[Collection(TopologyCollection.Name)]
public sealed class RedisClusterTopologyTests(RedisClusterTopologyFixture topology) : IClassFixture<RedisClusterTopologyFixture>
{
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task AGatewaySessionIsKeptInTheAppHostsThreeMasterCluster()
    {
        var gateway = new SessionHostGateway.SessionHostGatewayClient(topology.Invoker(ResourceNames.SessionHost, TestKeys.Admin));
        var client = new SessionHostGateway.SessionHostGatewayClient(topology.Invoker(ResourceNames.SessionHost, TestKeys.Client));
        await gateway.ConfigureSessionHostAsync(
            Requests.ConfigureHost("rdsh-cluster", LicensingMode.PerDevice, licenseServers: ResourceNames.LicenseServer), deadline: Deadline);
        var connected = await client.ConnectAsync(Requests.Connect("rdsh-cluster", "cluster-device"), deadline: Deadline);

        await using var cache = await ConnectionMultiplexer.ConnectAsync(await topology.App.GetConnectionStringAsync(ResourceNames.Cache) ?? "");
        var masters = cache.GetServers().Where(server => !server.IsReplica).ToList();
        Assert.True(connected.Admitted, connected.ToString());
        Assert.Equal(3, masters.Count);
        Assert.All(masters, master => Assert.Equal(ServerType.Cluster, master.ServerType));
        Assert.True(await EventuallyExistsAsync(cache.GetDatabase(), $"rds:gw:session:{connected.SessionId}"), "The session is not in the cluster.");
    }

    // The gateway's session write leaves through its background writer, a moment after Connect answered.
    private static async Task<bool> EventuallyExistsAsync(IDatabase database, string key)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await database.KeyExistsAsync(key))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
