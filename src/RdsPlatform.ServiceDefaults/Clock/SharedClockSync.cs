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
    /// <summary>The shared cache's key of the simulated offset, in ticks.</summary>
    public const string OffsetKey = "rds:clock:offset-ticks";
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

    /// <summary>
    /// Moves simulated time forward for every service. Throws <see cref="RedisException"/> when the shared cache cannot be
    /// reached, and <see cref="ArgumentOutOfRangeException"/>, with nothing moved, when time would run more than
    /// <see cref="ClockOptions.MaxOffset"/> ahead of the wall clock.
    /// </summary>
    public async Task<TimeSpan> AdvanceAsync(TimeSpan by)
    {
        if (clock.Offset + by > ClockOptions.MaxOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(by), clock.Offset, TooFar(clock.Offset));
        }

        if (cache is null)
        {
            clock.ObserveOffset(clock.Offset + by);
            return clock.Offset;
        }

        var db = cache.GetDatabase();
        await db.StringSetAsync(OffsetKey, clock.Offset.Ticks, when: When.NotExists);
        var ticks = await db.StringIncrementAsync(OffsetKey, by.Ticks);
        if (ticks > ClockOptions.MaxOffset.Ticks)
        {
            // The shared offset was ahead of this service's (another advanced it within the sync interval): undone.
            await db.StringDecrementAsync(OffsetKey, by.Ticks);
            var ahead = TimeSpan.FromTicks(ticks) - by;
            throw new ArgumentOutOfRangeException(nameof(by), ahead, TooFar(ahead));
        }

        clock.ObserveOffset(TimeSpan.FromTicks(ticks));
        await cache.GetSubscriber().PublishAsync(AdvancedChannel, clock.Offset.Ticks);
        LogAdvanced(by, clock.Offset);
        return clock.Offset;
    }

    /// <summary>Why an advance past <see cref="ClockOptions.MaxOffset"/> is refused, with time <paramref name="offset"/> ahead now.</summary>
    public static string TooFar(TimeSpan offset) =>
        $"Simulated time may run at most {ClockOptions.MaxOffset.TotalDays:0} days ahead of the wall clock; it is {offset.TotalDays:0.##} days ahead, " +
        $"so it can be advanced by at most {Math.Max(0, (ClockOptions.MaxOffset - offset).TotalDays):0.##} more days.";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (cache is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.SyncInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await TrySyncAsync();
            }
            catch (Exception ex) when (ex.FailsOnlyTheRound(stoppingToken))
            {
                // An unexpected failure (not the cache's own exceptions, which TrySyncAsync logs) ends this round only: a
                // loop that stopped would leave this service's clock behind every other's, and by default stop the host.
                LogRoundFailed(ex);
            }
        }
    }

    private async Task TrySyncAsync()
    {
        try
        {
            var db = cache!.GetDatabase();
            var stored = await db.StringGetAsync(OffsetKey);
            if (stored.TryParse(out long ticks) && clock.ObserveOffset(TimeSpan.FromTicks(ticks)))
            {
                if (ticks >= clock.Offset.Ticks)
                {
                    return;
                }
            }
            else if (!stored.IsNull)
            {
                // Not an offset this clock can take (written by hand, or by something else): every service would keep
                // re-reading it, so this one's own offset replaces it.
                LogCorruptOffset(stored.ToString(), ClockOptions.MaxOffset.TotalDays);
            }

            if (clock.Offset > TimeSpan.Zero || !stored.IsNull)
            {
                await db.StringSetAsync(OffsetKey, clock.Offset.Ticks, when: stored.IsNull ? When.NotExists : When.Always);
            }
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            LogCacheUnavailable(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The shared clock offset in the cache, '{Stored}', is not a number of ticks from 0 to {MaxDays} days; replacing it with this service's offset")]
    private partial void LogCorruptOffset(string stored, double maxDays);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulated time advanced by {By}; offset is now {Offset}")]
    private partial void LogAdvanced(TimeSpan by, TimeSpan offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A round of the shared clock's sync failed; the next runs after the sync interval")]
    private partial void LogRoundFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cache unavailable for the shared clock; keeping the last known offset")]
    private partial void LogCacheUnavailable(Exception exception);
}
