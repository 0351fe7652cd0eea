using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace RdsPlatform.ServiceDefaults;

/// <summary>The Redis-protocol cache shared by service replicas (Garnet, redis-server or Redis).</summary>
public static class CacheExtensions
{
    /// <summary>Name of the Aspire connection string every service reads the cache from.</summary>
    public const string ConnectionName = "cache";

    /// <summary>
    /// Registers one <see cref="IConnectionMultiplexer"/> when <c>ConnectionStrings:cache</c> is set. The
    /// service starts even while the cache is down (the multiplexer reconnects by itself), because every
    /// service must decide correctly without it.
    /// </summary>
    public static IHostApplicationBuilder AddRdsCache(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return builder;
        }

        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 1000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1000);
        options.ConnectRetry = Math.Max(options.ConnectRetry, 1);
        // The socket's reads and writes run on the .NET thread pool instead of StackExchange.Redis's own dedicated
        // threads: on the 2 cores a service gets, the gateway's profile under load showed the dedicated scheduler's
        // queue lock contended (Monitor.Enter_Slowpath) by every pipelined batch of session writes, and its idle workers
        // competing with Kestrel's for the same cores.
        options.SocketManager = SocketManager.ThreadPool;
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        return builder;
    }
}
