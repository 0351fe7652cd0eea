using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RdsPlatform.ServiceDefaults.Clock;

/// <summary>
/// Keeps the simulated offset equal across services: advances go through the cache, every service re-reads
/// it on a short interval and on a pub/sub notice. When the cache lost the offset (flush, restart), the
/// service that still knows it writes it back, so simulated time never runs backwards.
/// </summary>
public sealed partial class SharedClockSync(
    SharedClock clock,
    IOptions<ClockOptions> options,
    ILogger<SharedClockSync> logger,
    IConnectionMultiplexer? cache = null) : BackgroundService
{
    internal const string OffsetKey = "rds:clock:offset-ticks";
    private static readonly RedisChannel AdvancedChannel = RedisChannel.Literal("rds:clock:advanced");

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (cache is not null)
        {
            // Serve the first request with the farm's time, not the wall clock.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await TrySyncAsync().WaitAsync(timeout.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            try
            {
                await cache.GetSubscriber().SubscribeAsync(AdvancedChannel, (_, value) =>
                {
                    if (value.TryParse(out long ticks))
                    {
                        clock.ObserveOffset(TimeSpan.FromTicks(ticks));
                    }
                });
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                LogCacheUnavailable(ex);
            }
        }

        await base.StartAsync(cancellationToken);
    }

    /// <summary>Moves simulated time forward for every service. Throws <see cref="RedisException"/> when the shared cache cannot be reached.</summary>
    public async Task<TimeSpan> AdvanceAsync(TimeSpan by)
    {
        if (cache is null)
        {
            clock.ObserveOffset(clock.Offset + by);
            return clock.Offset;
        }

        var db = cache.GetDatabase();
        await db.StringSetAsync(OffsetKey, clock.Offset.Ticks, when: When.NotExists);
        var ticks = await db.StringIncrementAsync(OffsetKey, by.Ticks);
        clock.ObserveOffset(TimeSpan.FromTicks(ticks));
        await cache.GetSubscriber().PublishAsync(AdvancedChannel, clock.Offset.Ticks);
        LogAdvanced(by, clock.Offset);
        return clock.Offset;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (cache is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.SyncInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await TrySyncAsync();
        }
    }

    private async Task TrySyncAsync()
    {
        try
        {
            var db = cache!.GetDatabase();
            var stored = await db.StringGetAsync(OffsetKey);
            if (stored.TryParse(out long ticks))
            {
                clock.ObserveOffset(TimeSpan.FromTicks(ticks));
                if (ticks >= clock.Offset.Ticks)
                {
                    return;
                }
            }

            if (clock.Offset > TimeSpan.Zero)
            {
                await db.StringSetAsync(OffsetKey, clock.Offset.Ticks, when: stored.IsNull ? When.NotExists : When.Always);
            }
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            LogCacheUnavailable(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulated time advanced by {By}; offset is now {Offset}")]
    private partial void LogAdvanced(TimeSpan by, TimeSpan offset);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cache unavailable for the shared clock; keeping the last known offset")]
    private partial void LogCacheUnavailable(Exception exception);
}
