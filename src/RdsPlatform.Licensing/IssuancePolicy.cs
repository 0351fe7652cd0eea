namespace RdsPlatform.Licensing;

/// <summary>
/// License-server decisions (R3-R7, R9-R11, R13, R15) as pure functions of a snapshot, a request, the time and a random source.
/// A store loads an <see cref="IssuanceSnapshot"/> in one transaction, calls <see cref="Decide"/>, and persists the outcome in it.
/// </summary>
public static class IssuancePolicy
{
    /// <summary>Decide what a license request gets: the subject's existing CAL, a renewal/upgrade of it, a new CAL, or a refusal.</summary>
    /// <param name="newLicenseId">Source of new license ids; defaults to <see cref="RandomIds.NewVersion7"/>.</param>
    public static IssuanceOutcome Decide(IssuanceSnapshot snapshot, LicenseRequest request, DateTimeOffset now, Random random, Func<Guid>? newLicenseId = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(random);
        if (!Enum.IsDefined(request.Type) || !VersionCompatibility.IsKnown(request.HostVersion) || string.IsNullOrWhiteSpace(request.Subject))
        {
            return Refuse(ReasonCode.InvalidInput, "A license request needs a CAL type, a known session host version and a subject.");
        }

        var ids = newLicenseId ?? (() => RandomIds.NewVersion7(now));
        return request.Type == CalType.PerUser
            ? DecidePerUser(snapshot, request, now, ids)
            : DecidePerDevice(snapshot, request, now, random, ids);
    }

    /// <summary>
    /// R6/R10 renewal of one CAL: within 7 days of expiry, a new random 52-89 day lifetime (Per Device) or 60 more days (Per User).
    /// R9: an OverUsed (or unactivated-server temporary) Per User CAL first tries the pool, whenever it is renewed: with a free
    /// seat in <paramref name="pool"/> it moves into it with a new 60-day expiry instead of being extended outside the pool.
    /// </summary>
    /// <param name="pool">The server's activation and Per User packs (its <see cref="IssuanceSnapshot.SubjectCals"/> are not read); null: no seat is tried.</param>
    public static IssuanceOutcome Renew(IssuedCal cal, DateTimeOffset now, Random random, IssuanceSnapshot? pool = null)
    {
        ArgumentNullException.ThrowIfNull(cal);
        ArgumentNullException.ThrowIfNull(random);
        if (cal.Status == CalStatus.Revoked)
        {
            return Refuse(ReasonCode.CalRevoked, "This license was revoked by an administrator and cannot be renewed.");
        }

        if (cal.IsExpiredAt(now))
        {
            return cal.Status == CalStatus.Temporary && cal.Type == CalType.PerDevice
                ? Refuse(ReasonCode.TemporaryCalExpired, "The temporary license has expired; it is upgraded, never renewed.")
                : Refuse(ReasonCode.CalExpired, "The license expired before it was renewed and its seat went back to the pool; request a new license.");
        }

        if (cal.Type == CalType.PerDevice && cal.Status == CalStatus.Temporary)
        {
            return new(IssuanceKind.Reuse, ReasonCode.ValidCal, "A temporary license is upgraded, not renewed; it stays valid until it expires.", cal);
        }

        if (cal.Type == CalType.PerUser && cal.Status != CalStatus.Active && pool is not null
            && FreePerUserSeat(pool, cal.Version, preventUpgrade: false) is not null)
        {
            return AssignPerUser(pool, new LicenseRequest(CalType.PerUser, cal.Subject, cal.Version), now, cal, () => cal.LicenseId);
        }

        if (!LicensingRules.IsRenewalDue(cal.ExpiresAt, now))
        {
            return new(IssuanceKind.Reuse, ReasonCode.ValidCal, "The license is valid and not yet within 7 days of expiry.", cal);
        }

        return cal.Type == CalType.PerDevice
            ? RenewPermanent(cal, now, random)
            : ExtendPerUser(cal, ReasonFor(cal.Status));
    }

    /// <summary>R4: after a user signs in, the temporary Per Device CAL becomes validated (eligible for upgrade). Idempotent.</summary>
    public static IssuanceOutcome MarkValidated(IssuedCal cal)
    {
        ArgumentNullException.ThrowIfNull(cal);
        if (cal.Type != CalType.PerDevice || cal.Status != CalStatus.Temporary || cal.Validated)
        {
            return new(IssuanceKind.Reuse, ReasonCode.ValidCal, "Nothing to validate: only a temporary Per Device license awaits validation.", cal);
        }

        return new(IssuanceKind.Update, ReasonCode.TemporaryCalValidated,
            "The temporary license was validated; it is upgraded at the next connection if a license is available.", cal with { Validated = true });
    }

    private static IssuanceOutcome DecidePerDevice(IssuanceSnapshot s, LicenseRequest r, DateTimeOffset now, Random random, Func<Guid> ids)
    {
        var (permanent, temporary) = HeldPerDeviceCals(s, r, now);
        if (permanent is not null && !permanent.IsExpiredAt(now))
        {
            // Renewal reuses the seat the CAL already holds, so it needs no free seat and no activation (R15: issued CALs stay valid).
            return LicensingRules.IsRenewalDue(permanent.ExpiresAt, now)
                ? RenewPermanent(permanent, now, random)
                : new(IssuanceKind.Reuse, ReasonCode.ValidCal, "The device already holds a valid permanent license.", permanent);
        }

        if (temporary is not null)
        {
            if (temporary.Validated && s.ServerActivated
                && ChooseFor(s, r, temporary.LicenseId) is { } pack)
            {
                return new(IssuanceKind.Update, ReasonCode.CalUpgraded,
                    $"The temporary license was upgraded to a permanent {VersionCompatibility.CalName(pack.Version)} Per Device license.",
                    PermanentIn(temporary, pack, now, random), pack.Id);
            }

            if (!temporary.IsExpiredAt(now))
            {
                return new(IssuanceKind.Reuse, ReasonCode.ValidCal, TemporaryContinues(s, temporary), temporary);
            }

            if (permanent is null)
            {
                return Refuse(ReasonCode.NoLicensesAvailable,
                    "The device's temporary license has expired and no Per Device license is available to upgrade it; a device gets one temporary license only.");
            }
        }

        if (permanent is not null)
        {
            return ReissueExpired(s, r, permanent, now, random);
        }

        // R3: the first request gets a temporary CAL of the host's version, even from an unactivated server.
        var issued = new IssuedCal(ids(), CalType.PerDevice, r.HostVersion, r.Subject, CalStatus.Temporary, null, now, now + LicensingRules.TemporaryCalLifetime);
        return new(IssuanceKind.Issue, ReasonCode.TemporaryCalIssued,
            $"Issued a temporary {VersionCompatibility.CalName(r.HostVersion)} Per Device license valid for 90 days.", issued);
    }

    /// <summary>The device's best permanent and best temporary CAL that can serve the host (either may be null).</summary>
    private static (IssuedCal? Permanent, IssuedCal? Temporary) HeldPerDeviceCals(IssuanceSnapshot s, LicenseRequest r, DateTimeOffset now)
    {
        IssuedCal? permanent = null;
        IssuedCal? temporary = null;
        foreach (var cal in s.SubjectCals)
        {
            if (cal.Type != CalType.PerDevice || !VersionCompatibility.CalServesHost(cal.Version, r.HostVersion))
            {
                continue;
            }

            if (cal.Status == CalStatus.Permanent && IsBetter(cal, permanent, now))
            {
                permanent = cal;
            }
            else if (cal.Status == CalStatus.Temporary && IsBetter(cal, temporary, now))
            {
                temporary = cal;
            }
        }

        return (permanent, temporary);
    }

    /// <summary>R6: an expired permanent CAL's seat went back to the pool; the device takes one again if any is free, under the same license id (no leakage).</summary>
    private static IssuanceOutcome ReissueExpired(IssuanceSnapshot s, LicenseRequest r, IssuedCal permanent, DateTimeOffset now, Random random)
    {
        if (s.ServerActivated && ChooseFor(s, r, permanent.LicenseId) is { } pack)
        {
            return new(IssuanceKind.Update, ReasonCode.CalRenewed,
                "The device's expired license was issued again from the available Per Device licenses.", PermanentIn(permanent, pack, now, random), pack.Id);
        }

        return Refuse(ReasonCode.NoLicensesAvailable, s.ServerActivated
            ? "The device's license expired unrenewed and no Per Device license is available."
            : "The device's license expired unrenewed and the license server is not activated, so it cannot issue a permanent license.");
    }

    /// <summary>The CAL as a permanent one in <paramref name="pack"/>, issued now for a new random 52-89 day lifetime.</summary>
    private static IssuedCal PermanentIn(IssuedCal cal, KeyPackSnapshot pack, DateTimeOffset now, Random random) => cal with
    {
        Status = CalStatus.Permanent,
        Version = pack.Version,
        KeyPackId = pack.Id,
        IssuedAt = now,
        ExpiresAt = now + LicensingRules.NextPermanentCalLifetime(random),
    };

    private static IssuanceOutcome DecidePerUser(IssuanceSnapshot s, LicenseRequest r, DateTimeOffset now, Func<Guid> ids)
    {
        IssuedCal? best = null;
        foreach (var cal in s.SubjectCals)
        {
            if (cal.Type != CalType.PerUser || cal.Status == CalStatus.Revoked || !VersionCompatibility.CalServesHost(cal.Version, r.HostVersion))
            {
                continue;
            }

            if (best is null || Rank(cal) > Rank(best) || (Rank(cal) == Rank(best) && IsBetter(cal, best, now)))
            {
                best = cal;
            }
        }

        if (best is null)
        {
            return AssignPerUser(s, r, now, existing: null, ids);
        }

        if (best.Status == CalStatus.Active)
        {
            if (!best.IsExpiredAt(now))
            {
                return LicensingRules.IsRenewalDue(best.ExpiresAt, now)
                    ? ExtendPerUser(best, ReasonCode.CalRenewed)
                    : new(IssuanceKind.Reuse, ReasonCode.ValidCal, "The user already holds a Per User license.", best);
            }

            // R10/R11: the CAL dropped off the list, but its seat stays with the user for 90 days after assignment.
            if (best.HoldsSeatAt(now))
            {
                return new(IssuanceKind.Update, ReasonCode.PerUserRecorded,
                    "The user's Per User license had expired and was recorded again with a new expiry.",
                    best with { ExpiresAt = now + LicensingRules.PerUserCalLifetime });
            }

            return AssignPerUser(s, r, now, best, ids);
        }

        // OverUsed, or a record made while the server was not activated: take a real seat as soon as one is free (R9).
        if (FreePerUserSeat(s, r.HostVersion, r.PreventUpgrade) is not null)
        {
            return AssignPerUser(s, r, now, best, ids);
        }

        if (best.IsExpiredAt(now))
        {
            return new(IssuanceKind.Update, ReasonFor(best.Status), PerUserRecordedMessage(best.Status, reappeared: true),
                best with { ExpiresAt = now + LicensingRules.PerUserCalLifetime });
        }

        return LicensingRules.IsRenewalDue(best.ExpiresAt, now)
            ? ExtendPerUser(best, ReasonFor(best.Status))
            : new(IssuanceKind.Reuse, ReasonFor(best.Status), PerUserRecordedMessage(best.Status, reappeared: false), best);
    }

    private static IssuanceOutcome AssignPerUser(IssuanceSnapshot s, LicenseRequest r, DateTimeOffset now, IssuedCal? existing, Func<Guid> ids)
    {
        var expires = now + LicensingRules.PerUserCalLifetime;
        IssuedCal cal;
        Guid? seat = null;
        if (!s.ServerActivated)
        {
            // R15 reading: an unactivated server draws no seats; it records the user as a temporary Per User CAL (admitted, reported).
            cal = new IssuedCal(existing?.LicenseId ?? ids(), CalType.PerUser, r.HostVersion, r.Subject, CalStatus.Temporary, null, now, expires);
        }
        else if (FreePerUserSeat(s, r.HostVersion, r.PreventUpgrade) is { } pack)
        {
            cal = new IssuedCal(existing?.LicenseId ?? ids(), CalType.PerUser, pack.Version, r.Subject, CalStatus.Active, pack.Id, now, expires, AssignedAt: now);
            seat = pack.Id;
        }
        else
        {
            cal = new IssuedCal(existing?.LicenseId ?? ids(), CalType.PerUser, r.HostVersion, r.Subject, CalStatus.OverUsed, null, now, expires);
        }

        var kind = existing is null ? IssuanceKind.Issue : IssuanceKind.Update;
        var message = existing is { Status: CalStatus.OverUsed or CalStatus.Temporary } && seat is not null
            ? $"The user's {existing.Status} Per User license moved into a free seat of the installed {VersionCompatibility.CalName(cal.Version)} Per User licenses."
            : PerUserRecordedMessage(cal.Status, reappeared: false);
        return new(kind, ReasonFor(cal.Status), message, cal, seat);
    }

    /// <summary>R9/R13: the pack a Per User CAL takes a seat from, when the server is activated and one serving the version is free.</summary>
    private static KeyPackSnapshot? FreePerUserSeat(IssuanceSnapshot s, ProductVersion hostVersion, bool preventUpgrade) =>
        s.ServerActivated ? PackSelection.Choose(s.Packs, CalType.PerUser, hostVersion, preventUpgrade) : null;

    private static IssuanceOutcome RenewPermanent(IssuedCal cal, DateTimeOffset now, Random random) =>
        new(IssuanceKind.Update, ReasonCode.CalRenewed, "The license was renewed for another 52 to 89 days.",
            cal with { ExpiresAt = now + LicensingRules.NextPermanentCalLifetime(random) });

    private static IssuanceOutcome ExtendPerUser(IssuedCal cal, ReasonCode reason) =>
        new(IssuanceKind.Update, reason, "The Per User license was extended by 60 days.",
            cal with { ExpiresAt = cal.ExpiresAt + LicensingRules.PerUserCalLifetime });

    private static KeyPackSnapshot? ChooseFor(IssuanceSnapshot s, LicenseRequest r, Guid licenseId) =>
        // A device never holds two CALs of one version: skip versions it already holds under another license.
        PackSelection.Choose(s.Packs, CalType.PerDevice, r.HostVersion, r.PreventUpgrade, v => !HoldsOther(s.SubjectCals, v, licenseId));

    private static bool HoldsOther(IReadOnlyList<IssuedCal> cals, ProductVersion version, Guid licenseId)
    {
        foreach (var cal in cals)
        {
            if (cal.Type == CalType.PerDevice && cal.Status != CalStatus.Revoked && cal.Version == version && cal.LicenseId != licenseId)
            {
                return true;
            }
        }

        return false;
    }

    // Unexpired beats expired; then the lowest version, so the least valuable CAL is used first (R13).
    private static bool IsBetter(IssuedCal candidate, IssuedCal? current, DateTimeOffset now)
    {
        if (current is null)
        {
            return true;
        }

        var candidateValid = !candidate.IsExpiredAt(now);
        var currentValid = !current.IsExpiredAt(now);
        return candidateValid != currentValid ? candidateValid : candidate.Version < current.Version;
    }

    private static int Rank(IssuedCal cal) => cal.Status switch
    {
        CalStatus.Active => 2,
        CalStatus.OverUsed => 1,
        _ => 0,
    };

    private static ReasonCode ReasonFor(CalStatus status) => status == CalStatus.OverUsed ? ReasonCode.PerUserOverUsed : ReasonCode.PerUserRecorded;

    private static string PerUserRecordedMessage(CalStatus status, bool reappeared) => status switch
    {
        CalStatus.Active => "The user was assigned a Per User license.",
        CalStatus.OverUsed => reappeared
            ? "No Per User license is available; the user was recorded again in the OverUsed pool."
            : "No Per User license is available; the user is recorded in the OverUsed pool, in breach of the licensing terms until more Per User CALs are installed.",
        _ => "The license server is not activated; the user is recorded with a temporary Per User license.",
    };

    private static string TemporaryContinues(IssuanceSnapshot s, IssuedCal temporary) =>
        !temporary.Validated ? "The device holds a temporary license; it is upgraded after a user signs in and the device connects again."
        : !s.ServerActivated ? "The license server is not activated; the temporary license continues until its 90 days end."
        : "No Per Device license is available; the temporary license continues until its 90 days end.";

    private static IssuanceOutcome Refuse(ReasonCode reason, string message) => new(IssuanceKind.Refuse, reason, message, null);
}
