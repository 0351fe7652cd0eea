using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Cache;

/// <summary>
/// Owns the gateway's connection to the optional Redis-protocol cache shared by its replicas. Every call through it is
/// short and never throws: the gateway decides correctly without the cache and uses it again as soon as it answers.
/// The stores in this folder are the only callers; the rest of the gateway sees them through its own interfaces.
/// </summary>
public sealed partial class GatewayCache(IOptions<GatewayOptions> options, ILogger<GatewayCache> logger, IConnectionMultiplexer? cache = null)
{
    public const string KeyPrefix = "rds:gw:";

    private long _lastWarningTicks = long.MinValue;

    public bool IsConnected => cache?.IsConnected == true;

    /// <summary>The connection, for the coalescing writer; null when no cache is configured.</summary>
    internal IConnectionMultiplexer? Connection => cache;

    internal TimeSpan Timeout => options.Value.CacheTimeout;

    internal TimeSpan WriteCoalescing => options.Value.CacheWriteCoalescing;

    /// <summary>Runs <paramref name="action"/> each time a connection to the cache is restored after a failure.</summary>
    public void WhenRestored(Action action)
    {
        if (cache is not null)
        {
            cache.ConnectionRestored += (_, _) => action();
        }
    }

    /// <summary>Runs a cache read with a short timeout; the fallback when there is no cache or it does not answer.</summary>
    public async Task<T> ReadAsync<T>(Func<IDatabase, Task<T>> read, T fallback, CancellationToken cancellationToken)
    {
        if (cache is null || !cache.IsConnected)
        {
            return fallback;
        }

        try
        {
            return await read(cache.GetDatabase()).WaitAsync(options.Value.CacheTimeout, cancellationToken);
        }
        catch (Exception ex) when (IsCacheFailure(ex))
        {
            Warn(ex);
            return fallback;
        }
    }

    /// <summary>A write the caller waits for, with the same short timeout; the fallback when there is no cache or it does not answer.</summary>
    public Task<T> WriteAsync<T>(Func<IDatabase, Task<T>> write, T fallback, CancellationToken cancellationToken) =>
        ReadAsync(write, fallback, cancellationToken);

    /// <summary>A write nobody waits for (the commands carry <see cref="CommandFlags.FireAndForget"/>).</summary>
    public void Send(Action<IDatabase> write)
    {
        if (cache is null || !cache.IsConnected)
        {
            return;
        }

        try
        {
            write(cache.GetDatabase());
        }
        catch (Exception ex) when (IsCacheFailure(ex))
        {
            Warn(ex);
        }
    }

    /// <summary>Subscribes for as long as the process runs; the multiplexer re-subscribes by itself after the cache comes back.</summary>
    public async Task SubscribeAsync(RedisChannel channel, Action<RedisValue> handler)
    {
        if (cache is null)
        {
            return;
        }

        try
        {
            await cache.GetSubscriber().SubscribeAsync(channel, (_, value) => handler(value)).WaitAsync(options.Value.CacheTimeout);
        }
        catch (Exception ex) when (IsCacheFailure(ex))
        {
            Warn(ex);
        }
    }

    public void Publish(RedisChannel channel, RedisValue message)
    {
        if (cache is null || !cache.IsConnected)
        {
            return;
        }

        try
        {
            cache.GetSubscriber().Publish(channel, message, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (IsCacheFailure(ex))
        {
            Warn(ex);
        }
    }

    internal static bool IsCacheFailure(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;

    internal void Warn(Exception ex)
    {
        // One warning per 30 s: an outage must not flood the logs of every connection.
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastWarningTicks);
        if (now - last > 30_000 && Interlocked.CompareExchange(ref _lastWarningTicks, now, last) == last)
        {
            LogCacheUnavailable(ex.GetType().Name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The shared cache did not answer ({ErrorType}: {Error}); deciding from process memory and the license server")]
    private partial void LogCacheUnavailable(string errorType, string error);
}
