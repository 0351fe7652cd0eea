using Xunit;

namespace RdsPlatform.Testing;

/// <summary>The run's <see cref="RedisCluster"/> as an xunit class fixture (the cluster itself is formed once per run).</summary>
public sealed class RedisClusterFixture : IAsyncLifetime, ISharedCache
{
    private RedisCluster? _cluster;

    public RedisCluster Cluster => _cluster ?? throw new InvalidOperationException("The Redis Cluster fixture is not initialized.");

    public string ConnectionString => Cluster.ConnectionString;

    public Task FlushAsync() => Cluster.FlushAsync();

    public async Task InitializeAsync() => _cluster = await RedisCluster.SharedAsync();

    // The cluster outlives the class: the next class reuses it, and its watchdog stops it with the test process.
    public Task DisposeAsync() => Task.CompletedTask;
}
