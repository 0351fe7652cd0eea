namespace RdsPlatform.Licensing;

/// <summary>How RD Licensing Manager shows a pool of CALs in its summary (R17).</summary>
public enum PoolAvailability
{
    /// <summary>More than <see cref="PoolAvailabilityRules.LimitedPercent"/>% of the installed CALs are free.</summary>
    Available = 1,
    /// <summary>Some CALs are free, but no more than <see cref="PoolAvailabilityRules.LimitedPercent"/>% of those installed.</summary>
    Limited = 2,
    /// <summary>No CAL is free (including a pool with nothing installed).</summary>
    None = 3,
    /// <summary>Per User CALs of a workgroup-scope server: users outside a domain are not tracked (R12).</summary>
    NotTracking = 4,
}

/// <summary>R17: the availability of a pool (one CAL type and version) from its installed and free counts.</summary>
public static class PoolAvailabilityRules
{
    /// <summary>A pool whose free CALs are at most this percentage of its installed CALs (and more than zero) is Limited.</summary>
    public const int LimitedPercent = 10;

    public static PoolAvailability Classify(CalType type, ServerScope scope, long installed, long available)
    {
        if (type == CalType.PerUser && scope == ServerScope.Workgroup)
        {
            return PoolAvailability.NotTracking;
        }

        if (available <= 0 || installed <= 0)
        {
            return PoolAvailability.None;
        }

        // Integer form of available / installed <= 10%, exact for any count.
        return available * 100 <= installed * LimitedPercent ? PoolAvailability.Limited : PoolAvailability.Available;
    }
}
