namespace RdsPlatform.ServiceDefaults.Clock;

/// <summary>How a service reads time.</summary>
public enum ClockMode
{
    /// <summary>The wall clock; advancing is refused.</summary>
    System,

    /// <summary>The wall clock plus an offset shared by every service through the cache (Development and tests only).</summary>
    Simulated,
}

/// <summary>
/// The one <see cref="TimeProvider"/> every licensing rule reads. In simulated mode it adds an offset that only
/// ever grows, so time never runs backwards for a service, even if the cache forgets the offset.
/// </summary>
public sealed class SharedClock(ClockMode mode, TimeProvider? wallClock = null) : TimeProvider
{
    private readonly TimeProvider _wallClock = wallClock ?? System;
    private long _offsetTicks;

    public ClockMode Mode { get; } = mode;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => _wallClock.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>
    /// Takes a newer offset learned from another service; an older one is ignored. One outside 0 to
    /// <see cref="ClockOptions.MaxOffset"/> is refused (false): taken, it would make every later reading of the clock throw.
    /// </summary>
    public bool ObserveOffset(TimeSpan offset)
    {
        if (offset < TimeSpan.Zero || offset > ClockOptions.MaxOffset)
        {
            return false;
        }

        var ticks = offset.Ticks;
        var current = Interlocked.Read(ref _offsetTicks);
        while (ticks > current)
        {
            var seen = Interlocked.CompareExchange(ref _offsetTicks, ticks, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return true;
    }
}
