using StackExchange.Redis;

namespace RdsPlatform.Testing;

/// <summary>Administration of a test cache that works on one server and on a cluster alike.</summary>
public static class CacheAdmin
{
    /// <summary>FLUSHALL on every primary the connection string leads to (replicas refuse writes and follow their primary).</summary>
    public static async Task FlushAllAsync(string connectionString)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
        foreach (var server in connection.GetServers().Where(server => !server.IsReplica))
        {
            await server.FlushAllDatabasesAsync();
        }
    }
}
