namespace RdsPlatform.Licensing;

/// <summary>What the store loads to decide a revocation: the Per Device totals of the CAL's version.</summary>
/// <param name="InstalledPerDevice">Installed Per Device CALs of the version (sum over its packs).</param>
/// <param name="RevokedExpiries">The expiry each revoked Per Device CAL of the version had when revoked (expired ones may be included; they are ignored).</param>
public sealed record RevocationSnapshot(int InstalledPerDevice, IReadOnlyList<DateTimeOffset> RevokedExpiries);

/// <summary>How many revocations a version allows right now (R8).</summary>
/// <param name="NextRevokeAllowedAt">Now when <see cref="Remaining"/> &gt; 0; the earliest expiry among counted revoked CALs at the cap; null when the cap is 0 (fewer than 5 installed).</param>
public sealed record RevocationQuota(int Cap, int Counted, int Remaining, DateTimeOffset? NextRevokeAllowedAt);

/// <summary>The result of a revoke request; when allowed, the store writes <see cref="Revoked"/>.</summary>
public sealed record RevocationOutcome(bool Allowed, ReasonCode Reason, string Message, IssuedCal? Revoked, RevocationQuota Quota);

/// <summary>R8: revoke Per Device CALs only, at most floor(20% × installed) per version in revoked state at once.</summary>
public static class RevocationPolicy
{
    /// <summary>floor(20% × installed Per Device CALs of a version).</summary>
    public static int Cap(int installedPerDevice) => Math.Max(0, installedPerDevice) * LicensingRules.RevokeCapPercent / 100;

    /// <summary>The quota now: revoked CALs count until the expiry they had when revoked.</summary>
    public static RevocationQuota Quota(RevocationSnapshot snapshot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var cap = Cap(snapshot.InstalledPerDevice);
        var counted = 0;
        DateTimeOffset? earliest = null;
        foreach (var expiry in snapshot.RevokedExpiries)
        {
            if (expiry > now)
            {
                counted++;
                if (earliest is null || expiry < earliest)
                {
                    earliest = expiry;
                }
            }
        }

        var remaining = Math.Max(0, cap - counted);
        DateTimeOffset? next = remaining > 0 ? now : cap == 0 ? null : earliest;
        return new(cap, counted, remaining, next);
    }

    /// <summary>Decide whether <paramref name="cal"/> may be revoked now; the answer carries the quota after the decision.</summary>
    public static RevocationOutcome Revoke(IssuedCal cal, RevocationSnapshot snapshot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(cal);
        var quota = Quota(snapshot, now);
        if (cal.Type == CalType.PerUser)
        {
            return new(false, ReasonCode.RevokeNotAllowed, "Per User CALs cannot be revoked; only Per Device CALs can.", null, quota);
        }

        if (cal.Status == CalStatus.Revoked)
        {
            return new(false, ReasonCode.RevokeNotAllowed, "This CAL is already revoked.", null, quota);
        }

        if (cal.Status != CalStatus.Permanent)
        {
            return new(false, ReasonCode.RevokeNotAllowed, "Only permanent Per Device CALs can be revoked; a temporary CAL holds no license to free.", null, quota);
        }

        if (cal.IsExpiredAt(now))
        {
            return new(false, ReasonCode.RevokeNotAllowed, "This CAL has expired and its license is already back in the pool.", null, quota);
        }

        if (quota.Remaining == 0)
        {
            var when = quota.NextRevokeAllowedAt is { } at
                ? $"the next revoke is allowed at {at:u}"
                : $"at least {100 / LicensingRules.RevokeCapPercent} Per Device CALs of this version must be installed to revoke one";
            return new(false, ReasonCode.RevokeCapReached,
                $"At most {quota.Cap} {VersionCompatibility.CalName(cal.Version)} Per Device CALs (20% of {snapshot.InstalledPerDevice} installed) may be revoked at a time; {when}.",
                null, quota);
        }

        var revoked = cal with { Status = CalStatus.Revoked, RevokedAt = now };
        var after = Quota(snapshot with { RevokedExpiries = [.. snapshot.RevokedExpiries, cal.ExpiresAt] }, now);
        return new(true, ReasonCode.CalRevoked,
            $"The CAL was revoked and its license is available again; {after.Remaining} more may be revoked now.", revoked, after);
    }
}
