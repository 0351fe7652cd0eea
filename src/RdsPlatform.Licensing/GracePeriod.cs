namespace RdsPlatform.Licensing;

/// <summary>R1: the 120-day licensing grace period of a session host, counted from its first registration.</summary>
public static class GracePeriod
{
    /// <summary>The instant the grace period ends (first instant outside it).</summary>
    public static DateTimeOffset EndsAt(DateTimeOffset graceStart) => graceStart + LicensingRules.GracePeriod;

    /// <summary>Whether <paramref name="now"/> is inside the grace period.</summary>
    public static bool IsActive(DateTimeOffset graceStart, DateTimeOffset now) => now < EndsAt(graceStart);

    /// <summary>Whole days left, rounded up (120 at the start, 1 during the last day, 0 once over).</summary>
    public static int DaysLeft(DateTimeOffset graceStart, DateTimeOffset now)
    {
        var left = EndsAt(graceStart) - now;
        if (left <= TimeSpan.Zero)
        {
            return 0;
        }

        return (int)Math.Min(Math.Ceiling(left.TotalDays), LicensingRules.GracePeriod.TotalDays);
    }

    /// <summary>Days left read from a <see cref="TimeProvider"/>.</summary>
    public static int DaysLeft(DateTimeOffset graceStart, TimeProvider time) => DaysLeft(graceStart, time.GetUtcNow());
}
