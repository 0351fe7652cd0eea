using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RdsPlatform.ServiceDefaults;
using RdsPlatform.SessionHost.Cache;
using RdsPlatform.SessionHost.Connections;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Tests.SharedCache;

/// <summary>
/// The shared-cache half of one gateway replica: its own connection (made from <c>ConnectionStrings:cache</c> as a service
/// makes it) and the gateway's Redis stores on it. Disposing stops it as a stopping gateway does: queued writes first,
/// then the connection.
/// </summary>
internal sealed class CacheReplica : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public CacheReplica(string connectionString, Action<GatewayOptions>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration["ConnectionStrings:" + CacheExtensions.ConnectionName] = connectionString;
        builder.AddRdsCache();
        builder.Services.AddLogging().AddOptions<GatewayOptions>().Configure(options => configure?.Invoke(options));
        builder.Services.AddSingleton<GatewayCache>().AddSingleton<CacheWriteQueue>().AddSingleton<GatewayReplicas>()
            .AddSingleton<ISessionStore, RedisSessionStore>().AddSingleton<ITokenStateStore, RedisTokenStateStore>()
            .AddSingleton<IRevocationStore, RedisRevocationStore>().AddSingleton<IHostChangeNotices, RedisHostChangeNotices>()
            .AddSingleton<SessionRegistry>();
        _services = builder.Services.BuildServiceProvider();
    }

    public IConnectionMultiplexer Connection => _services.GetRequiredService<IConnectionMultiplexer>();

    /// <summary>The replica's coalescing writer; a stopping gateway disposes it before it lets go of the connection.</summary>
    public CacheWriteQueue Writes => _services.GetRequiredService<CacheWriteQueue>();

    public ISessionStore Sessions => _services.GetRequiredService<ISessionStore>();

    /// <summary>The replica's sessions, in process and through <see cref="Sessions"/>, as its SignIn and Disconnect see them.</summary>
    public SessionRegistry Registry => _services.GetRequiredService<SessionRegistry>();

    /// <summary>The other replicas sharing the cache, as this one knows them.</summary>
    public GatewayReplicas Replicas => _services.GetRequiredService<GatewayReplicas>();

    public ITokenStateStore Tokens => _services.GetRequiredService<ITokenStateStore>();

    public IRevocationStore Revocations => _services.GetRequiredService<IRevocationStore>();

    public IHostChangeNotices HostChanges => _services.GetRequiredService<IHostChangeNotices>();

    /// <summary>Waits for the connection, as a started gateway's first calls would (the service starts without waiting).</summary>
    public async Task<CacheReplica> ConnectedAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!Connection.IsConnected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(Connection.IsConnected, "The replica did not connect to the shared cache within 15 s.");
        await Replicas.StartingAsync(CancellationToken.None);
        return this;
    }

    /// <summary>Leaves the replica set, then stops as a gateway does (queued writes first, then the connection).</summary>
    public async ValueTask DisposeAsync()
    {
        await Replicas.StoppingAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }
}
