namespace RdsPlatform.Licensing;

// Gateway-side connection decisions: the facts, the plan, the license server's answer, the verdict.

/// <summary>What the gateway knows when a client connects: the host's settings, the time, and the checked certificate.</summary>
/// <param name="Presented">The client's certificate after <see cref="CertificateVerifier.Check"/>; <see cref="CertificateCheck.NotPresented"/> when none.</param>
public sealed record ConnectionFacts(
    LicensingMode Mode,
    ProductVersion HostVersion,
    ServerScope Scope,
    DateTimeOffset GraceStart,
    DateTimeOffset Now,
    CertificateCheck Presented = default)
{
    public bool InGracePeriod => GracePeriod.IsActive(GraceStart, Now);
}

/// <summary>What the gateway does after <see cref="ConnectionPolicy.Plan"/>.</summary>
public enum PlanAction
{
    /// <summary>Decided without the license server: use <see cref="ConnectionPlan.Decision"/>.</summary>
    Decided = 1,
    /// <summary>Call RequestLicense (issue, upgrade, or record the user), then <see cref="ConnectionPolicy.Conclude"/>.</summary>
    RequestLicense = 2,
    /// <summary>Call RenewLicense for the presented CAL, then <see cref="ConnectionPolicy.Conclude"/>.</summary>
    RenewLicense = 3,
}

/// <summary>The first step of a connection decision.</summary>
/// <param name="CalType">The CAL type to request or renew (null when decided).</param>
public sealed record ConnectionPlan(PlanAction Action, ConnectionDecision? Decision, CalType? CalType);

/// <summary>The license server's answer to a request or renewal; pass null to <see cref="ConnectionPolicy.Conclude"/> when it could not be reached.</summary>
/// <param name="Certificate">The (new or existing) CAL the server handed out, when granted.</param>
public sealed record LicenseServerAnswer(bool Granted, ReasonCode Reason, CalCertificate? Certificate);

/// <summary>The verdict on a connection, with the reason code and a sentence an administrator reads.</summary>
/// <param name="Certificate">The CAL now in effect for the client (store it on the client), if any.</param>
/// <param name="GraceDaysLeft">Days left in the grace period at the decision (0 once over).</param>
public sealed record ConnectionDecision(bool Admitted, ReasonCode Reason, string Message, CalCertificate? Certificate, int GraceDaysLeft);

/// <summary>
/// Gateway-side connection decisions (R1, R2, R5, R6, R8, R9, R12, R13) as pure functions.
/// Flow: check the presented certificate → <see cref="Plan"/> → if it asks, call the license server → <see cref="Conclude"/> with its answer (or null when unreachable).
/// </summary>
public static class ConnectionPolicy
{
    /// <summary>Decide what to do before asking the license server.</summary>
    public static ConnectionPlan Plan(ConnectionFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var grace = facts.InGracePeriod;
        var presented = facts.Presented;
        switch (facts.Mode)
        {
            case LicensingMode.PerDevice:
                break;
            case LicensingMode.PerUser when facts.Scope == ServerScope.Workgroup:
                return Decided(facts, true, ReasonCode.PerUserNotTracked, null);
            case LicensingMode.PerUser:
                break;
            default:
                // No CAL type to ask for: admitted only on grace (R2).
                return grace ? Decided(facts, true, ReasonCode.GracePeriod, null) : Decided(facts, false, ReasonCode.ModeNotConfigured, null);
        }

        var type = facts.Mode == LicensingMode.PerUser ? CalType.PerUser : CalType.PerDevice;
        switch (presented.Status)
        {
            case CertificateCheckStatus.Revoked:
                // R8: a revoked CAL is never admitted, and it is history: the device asks for a new CAL (temporary first) in this
                // same connection, as a new device would, so keeping its revoked certificate never locks it out.
                return new(PlanAction.RequestLicense, null, type);

            case CertificateCheckStatus.Malformed or CertificateCheckStatus.BadSignature or CertificateCheckStatus.WrongSubject:
                // During grace the client may still get its own CAL back from the server; afterwards untrusted bytes refuse the connection.
                return grace ? new(PlanAction.RequestLicense, null, type) : Decided(facts, false, ReasonCode.CertificateInvalid, null);

            case CertificateCheckStatus.Valid when presented.Certificate!.Temporary || presented.Certificate.OverUsed:
                // R5: every connection with a temporary CAL gives the server a chance to upgrade it; R9: likewise an OverUsed
                // Per User CAL, which the server moves into an installed seat as soon as one is free.
                return new(PlanAction.RequestLicense, null, type);

            case CertificateCheckStatus.Valid:
                return Decided(facts, true, ReasonCode.ValidCal, presented.Certificate);

            case CertificateCheckStatus.RenewalDue:
                return new(PlanAction.RenewLicense, null, type);

            default:
                // Not presented, expired, or a version that cannot serve this host.
                return new(PlanAction.RequestLicense, null, type);
        }
    }

    /// <summary>
    /// The scope a connection is decided in (R12): a user without a domain is in a workgroup; otherwise the scope of the host's
    /// first license server when the gateway knows it (null when it does not yet), else a domain.
    /// </summary>
    public static ServerScope ScopeFor(string userDomain, ServerScope? firstServerScope) =>
        string.IsNullOrWhiteSpace(userDomain) || firstServerScope == ServerScope.Workgroup ? ServerScope.Workgroup : ServerScope.Domain;

    /// <summary>Whether a license server's reason hands the client a CAL (a certificate that comes with any other reason is not kept).</summary>
    public static bool IsGrant(ReasonCode reason) => reason is ReasonCode.TemporaryCalIssued or ReasonCode.CalUpgraded or ReasonCode.ValidCal
        or ReasonCode.CalRenewed or ReasonCode.PerUserRecorded or ReasonCode.PerUserOverUsed;

    /// <summary>The final decision, given the license server's answer, or null when no license server could be reached.</summary>
    public static ConnectionDecision Conclude(ConnectionFacts facts, LicenseServerAnswer? answer)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (answer?.Reason == ReasonCode.PerUserNotTracked)
        {
            // The license server is in a workgroup (R12): the user is decided Not Tracking from the scope, as if the gateway had known.
            facts = facts with { Scope = ServerScope.Workgroup };
        }

        var plan = Plan(facts);
        if (plan.Action == PlanAction.Decided)
        {
            return plan.Decision!;
        }

        var presented = facts.Presented;
        var revoked = presented.Status == CertificateCheckStatus.Revoked;
        if (answer is { Granted: true, Certificate: { } granted })
        {
            if (revoked && granted.LicenseId == presented.Certificate?.LicenseId)
            {
                // The revoked CAL itself can never stand in for a new one, whoever hands it back.
                return Decide(facts, false, ReasonCode.CalRevoked, null);
            }

            if (VersionCompatibility.CalServesHost(granted.Version, facts.HostVersion))
            {
                return Decide(facts, true, answer.Reason, granted);
            }

            return Decide(facts, false, ReasonCode.CalVersionIncompatible, null);
        }

        // Not granted or unreachable: a certificate still valid for this host keeps working (R6: renewal failures do not lock clients out).
        if (presented.IsUsable)
        {
            return Decide(facts, true, ReasonCode.ValidCal, presented.Certificate);
        }

        if (answer is null)
        {
            // A revoked device that could not get a new CAL is told why its own CAL no longer admits it.
            return Decide(facts, false, revoked ? ReasonCode.CalRevoked : ReasonCode.NoLicenseServer, null);
        }

        var reason = presented switch
        {
            { Status: CertificateCheckStatus.Expired, Certificate.Temporary: true } => ReasonCode.TemporaryCalExpired,
            { Status: CertificateCheckStatus.VersionIncompatible } => ReasonCode.CalVersionIncompatible,
            { IsInvalid: true } => ReasonCode.CertificateInvalid,
            _ => answer.Granted ? ReasonCode.NoLicensesAvailable : answer.Reason,
        };

        // R9: Per User is not enforced once the server has answered and recorded the user (OverUsed is a grant, not a refusal).
        return Decide(facts, false, reason, null);
    }

    /// <summary>
    /// What a Per User sign-in does with the CAL the gateway knows for the user (R9, R10): ask the server when none is known, it
    /// has expired, or it is OverUsed (a seat may have freed since); renew it within 7 days of expiry; otherwise nothing to ask.
    /// Only OverUsed CALs cost a call at every sign-in, and only until a seat is free.
    /// </summary>
    public static PlanAction PlanPerUserSignIn(CalCertificate? known, DateTimeOffset now) =>
        known is null || known.OverUsed || known.ExpiresAt <= now ? PlanAction.RequestLicense
        : LicensingRules.IsRenewalDue(known.ExpiresAt, now) ? PlanAction.RenewLicense
        : PlanAction.Decided;

    /// <summary>The administrator's sentence for a reason code, worded like Windows where Windows has a wording.</summary>
    public static string Describe(ReasonCode reason) => reason switch
    {
        ReasonCode.GracePeriod => "The connection was admitted without a license during the Remote Desktop licensing grace period.",
        ReasonCode.ValidCal => "The connection was admitted with a valid Remote Desktop client access license.",
        ReasonCode.TemporaryCalIssued => "The connection was admitted with a temporary Remote Desktop client access license valid for 90 days.",
        ReasonCode.CalUpgraded => "The temporary license was upgraded to a permanent Remote Desktop client access license.",
        ReasonCode.CalRenewed => "The Remote Desktop client access license was renewed.",
        ReasonCode.PerUserRecorded => "The connection was admitted and the user's Per User client access license was recorded by the license server.",
        ReasonCode.PerUserNotTracked => "The connection was admitted; Per User licenses are not tracked for users outside a domain (Not Tracking).",
        ReasonCode.PerUserOverUsed => "The connection was admitted, but no Per User client access license was available: the user is counted in the OverUsed pool. Install more RDS Per User CALs.",
        ReasonCode.NoLicenseServer => "The remote session was disconnected because there are no Remote Desktop License Servers available to provide a license.",
        ReasonCode.NoLicensesAvailable => "The remote session was disconnected because there are no Remote Desktop client access licenses available for this computer.",
        ReasonCode.TemporaryCalExpired => "The remote session was disconnected because the temporary Remote Desktop client access license of this computer has expired and could not be upgraded.",
        ReasonCode.CalExpired => "The remote session was disconnected because the Remote Desktop client access license of this computer has expired and could not be renewed.",
        ReasonCode.CalVersionIncompatible => "The remote session was disconnected because the local computer's client access license could not be upgraded or renewed: its version is older than this Remote Desktop Session Host.",
        ReasonCode.ModeNotConfigured => "The remote session was disconnected because the Remote Desktop licensing mode is not configured for this Remote Desktop Session Host server.",
        ReasonCode.CertificateInvalid => "The remote session was disconnected because the Remote Desktop client access license stored on this computer has been modified.",
        ReasonCode.CalRevoked => "The remote session was disconnected because the Remote Desktop client access license of this computer was revoked by an administrator.",
        _ => $"The remote session was disconnected ({reason}).",
    };

    private static ConnectionPlan Decided(ConnectionFacts facts, bool admitted, ReasonCode reason, CalCertificate? certificate) =>
        new(PlanAction.Decided, Decide(facts, admitted, reason, certificate), null);

    private static ConnectionDecision Decide(ConnectionFacts facts, bool admitted, ReasonCode reason, CalCertificate? certificate)
    {
        var daysLeft = GracePeriod.DaysLeft(facts.GraceStart, facts.Now);
        if (!admitted && daysLeft > 0)
        {
            // R1: during grace nothing is refused; say what would have happened so the administrator can fix it in time.
            return new(true, ReasonCode.GracePeriod,
                $"The connection was admitted during the licensing grace period ({daysLeft} days left). After it ends: {Describe(reason)}",
                certificate, daysLeft);
        }

        var message = reason == ReasonCode.GracePeriod
            ? $"{Describe(reason)} {daysLeft} days are left."
            : Describe(reason);
        return new(admitted, reason, message, certificate, daysLeft);
    }
}
