using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>
/// The optional Redis-protocol cache shared by gateway replicas. Every call is short and never throws: the gateway
/// decides correctly without the cache and uses it again as soon as it answers.
/// </summary>
public sealed partial class GatewayCache(IOptions<GatewayOptions> options, ILogger<GatewayCache> logger, IConnectionMultiplexer? cache = null)
    : IDisposable, IAsyncDisposable
{
    /// <summary>How long a stopping gateway waits at most for the writes it still holds to reach the cache.</summary>
    internal static readonly TimeSpan StopDrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Queued writes sent in one pipelined batch at most.</summary>
    internal const int MaxWriteBatch = 1024;

    /// <summary>Writes waiting for the cache at most; beyond it the oldest are dropped (the cache is best effort, like a write while it is down).</summary>
    internal const int MaxQueuedWrites = 100_000;

    // Every admitted Connect writes its session: thousands per second. One writer drains whatever queued while it sent
    // the previous batch and sends it as one pipelined batch, so the cache sees one flush per batch instead of one per
    // connection. It never waits on a timer: an idle gateway's write leaves at once (SignIn on a replica finds it).
    private readonly Channel<PendingWrite> _writes = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(MaxQueuedWrites)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    private Task? _writer;

    public const string KeyPrefix = "rds:gw:";

    /// <summary>Tells the other replicas that a host's settings changed, so they re-read them.</summary>
    public static readonly RedisChannel HostsChangedChannel = RedisChannel.Literal(KeyPrefix + "hosts-changed");

    private long _lastWarningTicks = long.MinValue;

    public bool IsConfigured => cache is not null;

    public bool IsConnected => cache?.IsConnected == true;

    /// <summary>Runs <paramref name="action"/> each time a connection to the cache is restored after a failure.</summary>
    public void WhenRestored(Action action)
    {
        if (cache is not null)
        {
            cache.ConnectionRestored += (_, _) => action();
        }
    }

    /// <summary>Runs a cache read with a short timeout; the fallback when there is no cache or it does not answer.</summary>
    public async Task<T> TryAsync<T>(Func<IDatabase, Task<T>> call, T fallback, CancellationToken cancellationToken)
    {
        if (cache is null || !cache.IsConnected)
        {
            return fallback;
        }

        try
        {
            return await call(cache.GetDatabase()).WaitAsync(options.Value.CacheTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Warn(ex);
            return fallback;
        }
    }

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
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Warn(ex);
        }
    }

    /// <summary>Sets <paramref name="key"/> with an expiry through the coalescing writer; nobody waits for it.</summary>
    public void Set(RedisKey key, RedisValue value, TimeSpan expiry)
    {
        if (cache is null || !cache.IsConnected)
        {
            return;
        }

        EnsureWriter();
        _writes.Writer.TryWrite(new PendingWrite(key, value, expiry, null));
    }

    /// <summary>
    /// Deletes <paramref name="key"/> after every write queued before it (a session ended right after it started is not
    /// written back by its own queued write); false when the key did not exist, there is no cache or it does not answer.
    /// </summary>
    public async Task<bool> DeleteAsync(RedisKey key, CancellationToken cancellationToken)
    {
        if (cache is null || !cache.IsConnected)
        {
            return false;
        }

        EnsureWriter();
        var deleted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_writes.Writer.TryWrite(new PendingWrite(key, RedisValue.Null, TimeSpan.Zero, deleted)))
        {
            return false;
        }

        try
        {
            return await deleted.Task.WaitAsync(options.Value.CacheTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Warn(ex);
            return false;
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Sends what is still queued before the process lets go of the cache: each queued session was acknowledged to a
    /// client (Connect answered with its id), which may sign in on another replica next, as it does during a rolling
    /// restart. Before this, sessions answered in the last moments before a stop were lost.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_writes.Writer.TryComplete() || Volatile.Read(ref _writer) is not { } writer || cache is null)
        {
            return;
        }

        try
        {
            await writer.WaitAsync(StopDrainTimeout).ConfigureAwait(false);
            // The batches go out fire-and-forget; the cache answers commands of one connection in order, so once it
            // answers this PING it has applied every write sent before it.
            if (cache.IsConnected)
            {
                await cache.GetDatabase().PingAsync().WaitAsync(StopDrainTimeout).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
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
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
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
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Warn(ex);
        }
    }

    private void EnsureWriter()
    {
        if (Volatile.Read(ref _writer) is null)
        {
            lock (_writes)
            {
                _writer ??= Task.Run(WriteLoopAsync);
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _writes.Reader;
        var deletes = new List<(Task<bool> Sent, TaskCompletionSource<bool> Done)>();
        while (await reader.WaitToReadAsync())
        {
            deletes.Clear();
            try
            {
                if (cache is null || !cache.IsConnected)
                {
                    // Down: what queued is dropped, as a direct write would have been; deletes answer "not known".
                    while (reader.TryRead(out var dropped))
                    {
                        dropped.Deleted?.TrySetResult(false);
                    }

                    continue;
                }

                var batch = cache.GetDatabase().CreateBatch();
                var count = 0;
                while (count < MaxWriteBatch && reader.TryRead(out var write))
                {
                    count++;
                    if (write.Deleted is { } done)
                    {
                        deletes.Add((batch.KeyDeleteAsync(write.Key), done));
                    }
                    else
                    {
                        _ = batch.StringSetAsync(write.Key, write.Value, write.Expiry, flags: CommandFlags.FireAndForget);
                    }
                }

                batch.Execute();
                foreach (var (sent, done) in deletes)
                {
                    _ = sent.ContinueWith(static (t, state) =>
                    {
                        var done = (TaskCompletionSource<bool>)state!;
                        if (t.IsCompletedSuccessfully)
                        {
                            done.TrySetResult(t.Result);
                        }
                        else
                        {
                            done.TrySetException(t.Exception?.InnerException ?? new RedisException("The cache did not delete the key."));
                        }
                    }, done, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                Warn(ex);
                foreach (var (_, done) in deletes)
                {
                    done.TrySetResult(false);
                }
            }
        }
    }

    private void Warn(Exception ex)
    {
        // One warning per 30 s: an outage must not flood the logs of every connection.
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastWarningTicks);
        if (now - last > 30_000 && Interlocked.CompareExchange(ref _lastWarningTicks, now, last) == last)
        {
            LogCacheUnavailable(ex.GetType().Name, ex.Message);
        }
    }

    private readonly record struct PendingWrite(RedisKey Key, RedisValue Value, TimeSpan Expiry, TaskCompletionSource<bool>? Deleted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The shared cache did not answer ({ErrorType}: {Error}); deciding from process memory and the license server")]
    private partial void LogCacheUnavailable(string errorType, string error);
}
