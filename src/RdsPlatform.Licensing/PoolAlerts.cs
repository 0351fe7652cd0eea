namespace RdsPlatform.Licensing;

/// <summary>What an alert is about.</summary>
public enum AlertKind
{
    PoolLimited = 1,
    PoolNone = 2,
    PoolOverUsed = 3,
    RevokeCapReached = 4,
    GracePeriodLow = 5,
}

/// <summary>A pool (one CAL type and version) as the alert rules see it: its R17 availability and its OverUsed CALs.</summary>
public readonly record struct PoolState(PoolAvailability Availability, long OverUsed);

/// <summary>
/// When a pool change is worth telling someone: only when the pool gets worse (Available to Limited, anything to
/// None, no OverUsed to some), so a pool that stays at None does not alert on every request. A pool first seen
/// counts as having been Available with nothing OverUsed (a newly installed pack).
/// </summary>
public static class PoolAlertRules
{
    public static IReadOnlyList<AlertKind> Crossed(PoolState? before, PoolState after)
    {
        var previous = before ?? new PoolState(PoolAvailability.Available, 0);
        var alerts = new List<AlertKind>(2);
        if (after.Availability == PoolAvailability.None && previous.Availability != PoolAvailability.None)
        {
            alerts.Add(AlertKind.PoolNone);
        }
        else if (after.Availability == PoolAvailability.Limited && previous.Availability == PoolAvailability.Available)
        {
            alerts.Add(AlertKind.PoolLimited);
        }

        if (after.OverUsed > 0 && previous.OverUsed == 0)
        {
            alerts.Add(AlertKind.PoolOverUsed);
        }

        return alerts;
    }
}
