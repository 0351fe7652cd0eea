using System.Threading.Channels;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Cache;

/// <summary>
/// Coalesces the gateway's cache writes into pipelined batches. Every admitted Connect writes its session: thousands per
/// second. One writer drains whatever queued while it sent the previous batch and sends it as one batch, so the cache sees
/// one flush per batch instead of one per connection. Writes nobody waits for are gathered for
/// <see cref="GatewayOptions.CacheWriteCoalescing"/> (1 ms) first: at tens of thousands of Connects a second a batch then
/// carries dozens of sessions instead of a few, and the cache and the gateway make that many fewer system calls.
/// A write whose caller must know it arrived (a session, before Connect answers with its id: the next call may reach
/// another replica; a Disconnect) waits for the cache's answer to its own command, still sent in the shared batch, and
/// cuts the gathering short: it never waits on the timer.
/// </summary>
public sealed class CacheWriteQueue : IDisposable, IAsyncDisposable
{
    /// <summary>How long a stopping gateway waits at most for the writes it still holds to reach the cache.</summary>
    internal static readonly TimeSpan StopDrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Queued writes sent in one pipelined batch at most.</summary>
    internal const int MaxWriteBatch = 1024;

    /// <summary>Writes waiting for the cache at most; beyond it the oldest are dropped (the cache is best effort, like a write while it is down).</summary>
    internal const int MaxQueuedWrites = 100_000;

    private readonly GatewayCache _cache;
    private readonly Channel<PendingWrite> _writes;

    public CacheWriteQueue(GatewayCache cache)
    {
        _cache = cache;
        _writes = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(MaxQueuedWrites)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        }, Dropped);
    }

    private Task? _writer;

    // Set while the writer gathers writes nobody waits for; a write someone waits for completes it to send at once.
    private TaskCompletionSource? _gathering;

    // Set once the gateway stops: the writer sends what is queued without gathering more.
    private volatile bool _stopping;

    // Writes queued that someone waits for (incremented before signalling _gathering, decremented as the writer takes them).
    private int _waitedFor;

    /// <summary>Sets <paramref name="key"/> with an expiry through the coalescing writer; nobody waits for it.</summary>
    public void Set(RedisKey key, RedisValue value, TimeSpan expiry)
    {
        if (!_cache.IsConnected)
        {
            return;
        }

        EnsureWriter();
        _writes.Writer.TryWrite(new PendingWrite(key, value, expiry, null));
    }

    /// <summary>
    /// Sets <paramref name="key"/> through the coalescing writer and completes once the cache has applied it: true then,
    /// false when there is no cache or it did not answer within Gateway:CacheTimeout (the write may still land later).
    /// </summary>
    public Task<bool> SetAsync(RedisKey key, RedisValue value, TimeSpan expiry, CancellationToken cancellationToken) =>
        _cache.IsConnected ? SendAndWaitAsync(new PendingWrite(key, value, expiry, NewCompletion()), cancellationToken) : Task.FromResult(false);

    /// <summary>
    /// Deletes <paramref name="key"/> after every write queued before it (a session ended right after it started is not
    /// written back by its own queued write); false when the key did not exist, there is no cache or it does not answer.
    /// </summary>
    public Task<bool> DeleteAsync(RedisKey key, CancellationToken cancellationToken) =>
        _cache.IsConnected ? SendAndWaitAsync(new PendingWrite(key, RedisValue.Null, TimeSpan.Zero, NewCompletion(), Delete: true), cancellationToken)
            : Task.FromResult(false);

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Sends what is still queued before the process lets go of the cache: each queued session was acknowledged to a
    /// client (Connect answered with its id), which may sign in on another replica next, as it does during a rolling
    /// restart. Before this, sessions answered in the last moments before a stop were lost.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        Interlocked.MemoryBarrier();
        EndGathering();
        if (!_writes.Writer.TryComplete() || Volatile.Read(ref _writer) is not { } writer || _cache.Connection is not { } connection)
        {
            return;
        }

        try
        {
            await writer.WaitAsync(StopDrainTimeout).ConfigureAwait(false);
            // The batches go out fire-and-forget; a server answers the commands of one connection in order, so once it
            // answers a PING it has applied every write sent to it before. A cluster spreads the keys of one batch over
            // its masters, each on its own connection: every master must answer, not just one.
            var masters = connection.GetServers().Where(server => server.IsConnected && !server.IsReplica);
            await Task.WhenAll(masters.Select(server => server.PingAsync())).WaitAsync(StopDrainTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (GatewayCache.IsCacheFailure(ex))
        {
            _cache.Warn(ex);
        }
    }

    /// <summary>A write that will not be sent (the cache is down, or the queue overflowed): whoever waits for it hears "not stored".</summary>
    private void Dropped(PendingWrite write)
    {
        if (write.Done is { } done)
        {
            Interlocked.Decrement(ref _waitedFor);
            done.TrySetResult(false);
        }
    }

    private static TaskCompletionSource<bool> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task<bool> SendAndWaitAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        EnsureWriter();
        Interlocked.Increment(ref _waitedFor);
        if (!_writes.Writer.TryWrite(write))
        {
            Interlocked.Decrement(ref _waitedFor);
            return false;
        }

        EndGathering();

        try
        {
            return await write.Done!.Task.WaitAsync(_cache.Timeout, cancellationToken);
        }
        catch (Exception ex) when (GatewayCache.IsCacheFailure(ex))
        {
            _cache.Warn(ex);
            return false;
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
        var awaited = new List<(Task<bool> Sent, TaskCompletionSource<bool> Done)>();
        while (await reader.WaitToReadAsync())
        {
            awaited.Clear();
            try
            {
                if (_cache.Connection is not { IsConnected: true } connection)
                {
                    // Down: what queued is dropped, as a direct write would have been; those waiting hear "not stored".
                    while (reader.TryRead(out var dropped))
                    {
                        Dropped(dropped);
                    }

                    continue;
                }

                await GatherAsync(reader);
                SendBatch(connection.GetDatabase().CreateBatch(), reader, awaited);
            }
            catch (Exception ex) when (GatewayCache.IsCacheFailure(ex))
            {
                _cache.Warn(ex);
                foreach (var (_, done) in awaited)
                {
                    done.TrySetResult(false);
                }
            }
        }
    }

    /// <summary>
    /// Waits up to <see cref="GatewayOptions.CacheWriteCoalescing"/> for more writes when the next one is a write nobody
    /// waits for; returns at once when a waited-for write is queued or arrives meanwhile, when a batch is full, or when the
    /// gateway stops.
    /// </summary>
    private async Task GatherAsync(ChannelReader<PendingWrite> reader)
    {
        var window = _cache.WriteCoalescing;
        if (window <= TimeSpan.Zero || SendNow || reader.Count >= MaxWriteBatch)
        {
            return;
        }

        var gathering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Both sides fence (this exchange; the producer's increment, the stop's barrier): a waited-for write queued (or a
        // stop begun) before _gathering was set is seen here, and one after it finds _gathering and completes it.
        Interlocked.Exchange(ref _gathering, gathering);
        try
        {
            if (!SendNow)
            {
                await Task.WhenAny(gathering.Task, Task.Delay(window));
            }
        }
        finally
        {
            Volatile.Write(ref _gathering, null);
        }
    }

    /// <summary>A waited-for write is queued or the gateway stops: what is queued leaves without gathering more.</summary>
    private bool SendNow => _stopping || Volatile.Read(ref _waitedFor) > 0;

    /// <summary>Ends the writer's gathering, if it is gathering, so that it sends at once.</summary>
    private void EndGathering() => Volatile.Read(ref _gathering)?.TrySetResult();

    private void SendBatch(IBatch batch, ChannelReader<PendingWrite> reader, List<(Task<bool> Sent, TaskCompletionSource<bool> Done)> awaited)
    {
        var count = 0;
        while (count < MaxWriteBatch && reader.TryRead(out var write))
        {
            count++;
            if (write.Done is not null)
            {
                Interlocked.Decrement(ref _waitedFor);
            }

            if (write.Delete)
            {
                awaited.Add((batch.KeyDeleteAsync(write.Key), write.Done!));
            }
            else if (write.Done is { } done)
            {
                awaited.Add((batch.StringSetAsync(write.Key, write.Value, write.Expiry), done));
            }
            else
            {
                _ = batch.StringSetAsync(write.Key, write.Value, write.Expiry, flags: CommandFlags.FireAndForget);
            }
        }

        batch.Execute();
        foreach (var (sent, done) in awaited)
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
                    done.TrySetException(t.Exception?.InnerException ?? new RedisException("The cache did not apply the write."));
                }
            }, done, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>One queued command; <paramref name="Done"/> is set for a caller that waits for the cache's answer.</summary>
    private readonly record struct PendingWrite(RedisKey Key, RedisValue Value, TimeSpan Expiry, TaskCompletionSource<bool>? Done, bool Delete = false);
}
