// The other gateway replicas sharing this cache, as far as this one knows: Connect waits for its session's write only when one may take the next call.
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Cache;

/// <summary>
/// The gateway replicas sharing the cache, as this one knows them. Each announces itself in one sorted set
/// (<c>rds:gw:replicas</c>: member its instance id, score the Unix time in milliseconds its announcement lapses, three
/// <see cref="GatewayOptions.ReplicaAnnounceInterval"/>s ahead) every interval, and on the channel
/// <c>rds:gw:replica-joined</c> when it starts. Each running replica that hears it answers on
/// <c>rds:gw:replica-known</c>, and the joining one takes calls only once every replica in the set has answered (or one
/// interval has passed, by which the running ones have counted it at their own announcement): from its first call on, a
/// session started on any replica is in the cache before its Connect answers. A replica that stops leaves the set; one
/// killed lapses. While another replica is known, a session written here must reach the cache before Connect answers
/// (the client's next call may reach that replica); alone, the write leaves in the background and Connect makes no cache
/// round trip.
/// </summary>
public sealed partial class GatewayReplicas(GatewayCache cache, IOptions<GatewayOptions> options, ILogger<GatewayReplicas> logger)
    : IHostedLifecycleService, IDisposable
{
    public static readonly RedisKey Key = GatewayCache.KeyPrefix + "replicas";

    public static readonly RedisChannel Joined = RedisChannel.Literal(GatewayCache.KeyPrefix + "replica-joined");

    /// <summary>Answers to a joining notice: "{joining id}:{answering id}".</summary>
    public static readonly RedisChannel KnownBy = RedisChannel.Literal(GatewayCache.KeyPrefix + "replica-known");

    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _answers = new();
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _allAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HashSet<string>? _awaited;
    private Task? _announcing;
    private volatile bool _othersKnown;
    private int _notices;

    /// <summary>This replica's instance id in the set.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Whether another replica shares the cache, as of this one's last announcement or a later joining notice.</summary>
    public bool OthersKnown => _othersKnown;

    /// <summary>
    /// Subscribes, announces, tells the running replicas and waits (one interval at most) until each has answered that it
    /// knows this one, before the gateway takes calls.
    /// </summary>
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (cache.Connection is null)
        {
            return;
        }

        await cache.SubscribeAsync(Joined, HeardOf);
        await cache.SubscribeAsync(KnownBy, Answered);
        var others = await AnnounceAsync(cancellationToken);
        lock (_answers)
        {
            _awaited = others is null ? [] : [.. others];
            CheckAnswered();
        }

        cache.Publish(Joined, Id);
        try
        {
            await _allAnswered.Task.WaitAsync(options.Value.ReplicaAnnounceInterval, cancellationToken);
        }
        catch (TimeoutException)
        {
            LogUnanswered(Id, string.Join(", ", Unanswered()));
        }

        cache.WhenRestored(() => _ = AnnounceAsync(CancellationToken.None));
        _announcing = AnnounceEveryIntervalAsync(_stop.Token);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Leaves the set, so the others stop waiting for this one as soon as they announce next.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_announcing is { } announcing)
        {
            await announcing;
            await cache.WriteAsync(db => db.SortedSetRemoveAsync(Key, Id), false, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stop.Dispose();

    private void HeardOf(RedisValue joined)
    {
        if (joined != Id)
        {
            Interlocked.Increment(ref _notices);
            Known(true);
            cache.Publish(KnownBy, $"{joined}:{Id}");
        }
    }

    private void Answered(RedisValue answer)
    {
        var text = answer.ToString();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && text.AsSpan(0, colon).SequenceEqual(Id))
        {
            lock (_answers)
            {
                _answered.Add(text[(colon + 1)..]);
                CheckAnswered();
            }
        }
    }

    private void CheckAnswered()
    {
        if (_awaited is not null && _awaited.IsSubsetOf(_answered))
        {
            _allAnswered.TrySetResult();
        }
    }

    private List<string> Unanswered()
    {
        lock (_answers)
        {
            return _awaited?.Except(_answered).ToList() ?? [];
        }
    }

    private async Task AnnounceEveryIntervalAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(options.Value.ReplicaAnnounceInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await AnnounceAsync(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Renews this replica's entry, drops lapsed ones and reads the rest (one pipelined round trip): the other replicas'
    /// ids, or null when the cache did not answer.
    /// </summary>
    private async Task<List<string>?> AnnounceAsync(CancellationToken cancellationToken)
    {
        var notices = Volatile.Read(ref _notices);
        var interval = options.Value.ReplicaAnnounceInterval;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var members = await cache.WriteAsync<RedisValue[]?>(async db =>
        {
            var batch = db.CreateBatch();
            var added = batch.SortedSetAddAsync(Key, Id, now + 3 * (long)interval.TotalMilliseconds);
            var pruned = batch.SortedSetRemoveRangeByScoreAsync(Key, double.NegativeInfinity, now);
            var expires = batch.KeyExpireAsync(Key, 3 * interval);
            var read = batch.SortedSetRangeByScoreAsync(Key, now, double.PositiveInfinity, Exclude.Start);
            batch.Execute();
            await Task.WhenAll(added, pruned, expires);
            return await read;
        }, null, cancellationToken);
        if (members is null)
        {
            return null;
        }

        var others = members.Select(member => member.ToString()).Where(member => member != Id).ToList();
        // A joining notice heard while this was in flight is newer than the set read: it is not undone.
        if (others.Count > 0 || Volatile.Read(ref _notices) == notices)
        {
            Known(others.Count > 0);
        }

        return others;
    }

    private void Known(bool others)
    {
        if (_othersKnown != others)
        {
            _othersKnown = others;
            LogReplicas(Id, others ? "other replicas share the cache: Connect waits for its session's cache write" :
                "no other replica shares the cache: session writes leave in the background");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway replica {ReplicaId} takes calls before replicas {Unanswered} said they know it (stopped without leaving the set, or not reached by the notice); they count it at their next announcement")]
    private partial void LogUnanswered(string replicaId, string unanswered);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway replica {ReplicaId}: {Change}")]
    private partial void LogReplicas(string replicaId, string change);
}
