namespace RdsPlatform.Licensing;

/// <summary>A CAL the license server has issued, as its store keeps it.</summary>
/// <param name="Subject">Hardware id for Per Device, <c>DOMAIN\user</c> for Per User.</param>
/// <param name="KeyPackId">The pack whose seat this CAL holds; null for temporary and OverUsed CALs.</param>
/// <param name="ExpiresAt">For a revoked CAL: the expiry it had when revoked (it counts against the cap until then, R8).</param>
/// <param name="Validated">R4: a user signed in on the device holding this temporary CAL.</param>
/// <param name="AssignedAt">Per User: when the current seat was assigned to the user (R11 hold).</param>
public sealed record IssuedCal(
    Guid LicenseId,
    CalType Type,
    ProductVersion Version,
    string Subject,
    CalStatus Status,
    Guid? KeyPackId,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    bool Validated = false,
    DateTimeOffset? AssignedAt = null,
    DateTimeOffset? RevokedAt = null)
{
    /// <summary>Whether the CAL is past its expiry at <paramref name="now"/> (valid while now &lt; ExpiresAt).</summary>
    public bool IsExpiredAt(DateTimeOffset now) => now >= ExpiresAt;

    /// <summary>The status a report shows at <paramref name="now"/>: stored status, or Expired once past expiry (Revoked stays Revoked).</summary>
    public CalStatus StatusAt(DateTimeOffset now) => ShownStatus(Status, ExpiresAt, now);

    /// <summary><see cref="StatusAt"/> from the stored status and expiry alone, for reads that build no record.</summary>
    public static CalStatus ShownStatus(CalStatus stored, DateTimeOffset expiresAt, DateTimeOffset now) =>
        stored != CalStatus.Revoked && now >= expiresAt ? CalStatus.Expired : stored;

    /// <summary>
    /// Until when this CAL occupies a seat of <see cref="KeyPackId"/>; null when it holds none.
    /// Permanent: its expiry (an unrenewed CAL returns to the pool, R6). Revoked: free at once (R8).
    /// Per User: its expiry or 90 days after assignment, whichever is later (R11).
    /// Stores persist this so "occupied seats" is one indexed count: <c>seat_held_until &gt; now</c>.
    /// </summary>
    public DateTimeOffset? SeatHeldUntil => KeyPackId is null ? null : Status switch
    {
        CalStatus.Permanent => ExpiresAt,
        CalStatus.Revoked => RevokedAt ?? IssuedAt,
        CalStatus.Active => Max(ExpiresAt, (AssignedAt ?? IssuedAt) + LicensingRules.PerUserReassignmentHold),
        _ => null,
    };

    /// <summary>Whether this CAL occupies a pack seat at <paramref name="now"/>.</summary>
    public bool HoldsSeatAt(DateTimeOffset now) => SeatHeldUntil is { } until && now < until;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
