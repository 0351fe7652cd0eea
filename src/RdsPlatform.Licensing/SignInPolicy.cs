namespace RdsPlatform.Licensing;

// What a user's sign-in does to the CAL of the session it signs in to (R4, R9, R10, R12), as pure functions.

/// <summary>What the gateway does after <see cref="SignInPolicy.Plan"/>.</summary>
public enum SignInAction
{
    /// <summary>Nothing to ask a license server: use <see cref="SignInPlan.Decision"/>.</summary>
    Decided = 1,
    /// <summary>Call MarkLicenseValidated for the session's temporary CAL, then <see cref="SignInPolicy.Validated"/>.</summary>
    ValidateTemporaryCal = 2,
    /// <summary>Call RequestLicense for the user, then <see cref="SignInPolicy.Recorded"/>.</summary>
    RequestLicense = 3,
    /// <summary>Call RenewLicense for the known Per User CAL, then <see cref="SignInPolicy.Recorded"/>.</summary>
    RenewLicense = 4,
}

/// <summary>What the gateway knows when a user signs in to a session it admitted.</summary>
/// <param name="LicenseId">The CAL the session was admitted with (null when none, as during grace).</param>
/// <param name="Known">That CAL's certificate when the gateway still holds it.</param>
public sealed record SignInFacts(
    LicensingMode Mode,
    DateTimeOffset GraceStart,
    DateTimeOffset Now,
    Guid? LicenseId,
    bool TemporaryCal,
    bool NotTracked,
    CalCertificate? Known);

/// <summary>What a sign-in did, with a sentence an administrator reads and the CAL now in effect, if known.</summary>
public sealed record SignInDecision(ReasonCode Reason, string Message, CalCertificate? Certificate);

/// <summary>The first step of a sign-in.</summary>
public sealed record SignInPlan(SignInAction Action, SignInDecision? Decision);

/// <summary>Sign-in rules: validate a temporary Per Device CAL (R4), record or extend a Per User CAL (R9, R10), or only report.</summary>
public static class SignInPolicy
{
    /// <summary>Decide what a sign-in asks of the license servers, if anything.</summary>
    public static SignInPlan Plan(SignInFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        switch (facts.Mode)
        {
            case LicensingMode.PerDevice when facts.LicenseId is not null && facts.TemporaryCal:
                return new(SignInAction.ValidateTemporaryCal, null);

            case LicensingMode.PerDevice when facts.Known is not null || facts.LicenseId is not null:
                // Admitted at Connect with this CAL; its details are shown when the gateway still knows its certificate.
                return Decided(ReasonCode.ValidCal, ConnectionPolicy.Describe(ReasonCode.ValidCal), facts.Known);

            case LicensingMode.PerUser when facts.NotTracked:
                return Decided(ReasonCode.PerUserNotTracked, ConnectionPolicy.Describe(ReasonCode.PerUserNotTracked), null);

            case LicensingMode.PerUser:
                return PlanPerUser(facts.Known, facts.Now);

            default:
                var graceDays = GracePeriod.DaysLeft(facts.GraceStart, facts.Now);
                return graceDays > 0
                    ? Decided(ReasonCode.GracePeriod, $"{ConnectionPolicy.Describe(ReasonCode.GracePeriod)} {graceDays} days are left.", null)
                    : Decided(ReasonCode.ModeNotConfigured, ConnectionPolicy.Describe(ReasonCode.ModeNotConfigured), null);
        }
    }

    /// <summary>After <see cref="SignInAction.ValidateTemporaryCal"/>: whether a license server answered the validation.</summary>
    public static SignInDecision Validated(bool answered, CalCertificate? known) => answered
        ? new(ReasonCode.TemporaryCalValidated,
            "The user signed in and the device's temporary license was validated; it is upgraded to a permanent license at the next connection if a Per Device license is available.",
            known)
        : new(ReasonCode.NoLicenseServer,
            "The user signed in, but no license server answered to validate the device's temporary license; it is validated at a later sign-in.", known);

    /// <summary>After a Per User request or renewal: the license server's answer, or null when none answered.</summary>
    public static SignInDecision Recorded(LicenseServerAnswer? answer, CalCertificate? known)
    {
        if (answer is null)
        {
            return new(ReasonCode.NoLicenseServer,
                "The user signed in, but no license server answered to record the Per User license; it is recorded at a later sign-in.", known);
        }

        if (answer is { Granted: true, Certificate: { } granted })
        {
            // The server answers VALID_CAL for a user it already holds a seat for: to the signing-in user that is "recorded".
            var reason = answer.Reason == ReasonCode.ValidCal ? ReasonCode.PerUserRecorded : answer.Reason;
            return new(reason, ConnectionPolicy.Describe(reason), granted);
        }

        return new(answer.Reason, ConnectionPolicy.Describe(answer.Reason), known);
    }

    private static SignInPlan PlanPerUser(CalCertificate? known, DateTimeOffset now) => ConnectionPolicy.PlanPerUserSignIn(known, now) switch
    {
        // Not recorded yet, expired, or OverUsed: the server records the user, or moves it into a seat freed since (R9).
        PlanAction.RequestLicense => new(SignInAction.RequestLicense, null),
        PlanAction.RenewLicense => new(SignInAction.RenewLicense, null),
        _ => Decided(ReasonCode.PerUserRecorded, $"The user signed in; the Per User client access license is recorded until {known!.ExpiresAt:yyyy-MM-dd}.", known),
    };

    private static SignInPlan Decided(ReasonCode reason, string message, CalCertificate? certificate) =>
        new(SignInAction.Decided, new SignInDecision(reason, message, certificate));
}
