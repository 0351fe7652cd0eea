namespace RdsPlatform.Licensing;

/// <summary>The named numbers of RDS licensing (seed facts R1, R3, R5, R6, R8, R10, R11).</summary>
public static class LicensingRules
{
    /// <summary>R1: a session host works without a license server this long after it is first registered.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromDays(120);

    /// <summary>R3: lifetime of a temporary Per Device CAL.</summary>
    public static readonly TimeSpan TemporaryCalLifetime = TimeSpan.FromDays(90);

    /// <summary>R6/R10: a CAL expiring within this window is renewed (Per Device) or extended (Per User).</summary>
    public static readonly TimeSpan RenewalWindow = TimeSpan.FromDays(7);

    /// <summary>R5/R6: shortest permanent Per Device lifetime, in whole days.</summary>
    public const int PermanentCalMinDays = 52;

    /// <summary>R5/R6: longest permanent Per Device lifetime, in whole days (inclusive).</summary>
    public const int PermanentCalMaxDays = 89;

    /// <summary>R10: a Per User CAL shows an expiry this far out; an extension adds the same again.</summary>
    public static readonly TimeSpan PerUserCalLifetime = TimeSpan.FromDays(60);

    /// <summary>R11: a Per User seat stays with its user at least this long after assignment.</summary>
    public static readonly TimeSpan PerUserReassignmentHold = TimeSpan.FromDays(90);

    /// <summary>R8: at most this percentage of installed Per Device CALs of a version may be in revoked state.</summary>
    public const int RevokeCapPercent = 20;

    /// <summary>R5/R6: a uniformly random permanent lifetime of 52 to 89 whole days inclusive.</summary>
    public static TimeSpan NextPermanentCalLifetime(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return TimeSpan.FromDays(random.Next(PermanentCalMinDays, PermanentCalMaxDays + 1));
    }

    /// <summary>R6/R10: whether a CAL expiring at <paramref name="expiresAt"/> is due for renewal at <paramref name="now"/> (7 days or less left, not yet expired).</summary>
    public static bool IsRenewalDue(DateTimeOffset expiresAt, DateTimeOffset now) =>
        now < expiresAt && expiresAt - now <= RenewalWindow;
}
