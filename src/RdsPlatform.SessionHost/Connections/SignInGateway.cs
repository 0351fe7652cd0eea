using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Outcomes;
using RdsPlatform.SessionHost.Hosts;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>
/// Carries out a user's sign-in to a session the gateway admitted, as the core's <see cref="SignInPolicy"/> plans it: validates
/// a temporary Per Device CAL (R4), records or extends a Per User CAL (R9, R10), or only reports the CAL in effect.
/// </summary>
public sealed class SignInGateway(
    SessionHostStore hosts,
    SessionRegistry sessions,
    CertificateChecks certificates,
    CalRequests requests,
    TokenStateCache tokens,
    TimeProvider time)
{
    /// <summary>What the sign-in did; a problem when the session (or its host) is unknown.</summary>
    public async Task<Outcome<SignInDecision>> SignInAsync(string sessionId, CancellationToken cancellationToken)
    {
        var session = await sessions.FindAsync(sessionId, cancellationToken);
        if (session is null || hosts.Find(session.HostId) is not { } host)
        {
            return GatewayProblems.SessionNotFound(sessionId);
        }

        var known = await certificates.KnownCertificateAsync(host, session, cancellationToken);
        var plan = SignInPolicy.Plan(new SignInFacts(host.Mode, host.GraceStartedAt, time.GetUtcNow(), session.LicenseId, session.TemporaryCal,
            session.NotTracked, known));
        switch (plan.Action)
        {
            case SignInAction.ValidateTemporaryCal:
                return SignInPolicy.Validated(await requests.ValidateAsync(host, session.LicenseId!.Value, cancellationToken), known);
            case SignInAction.RequestLicense or SignInAction.RenewLicense:
                return await RecordPerUserAsync(host, session, plan.Action, known, cancellationToken);
            default:
                return plan.Decision!;
        }
    }

    private async Task<SignInDecision> RecordPerUserAsync(SessionHostSettings host, SessionState session, SignInAction action, CalCertificate? known,
        CancellationToken cancellationToken)
    {
        var asked = action == SignInAction.RenewLicense
            ? await requests.RenewAsync(host, known!, cancellationToken)
            : await requests.RequestAsync(host, CalType.PerUser,
                new ConnectAttempt(host.HostId, session.HardwareId, session.ComputerName, session.UserDomain, session.UserName, default), cancellationToken);
        if (asked.Granted is { } granted)
        {
            tokens.Remember(granted);
            await sessions.UpdateAsync(session with { LicenseId = granted.Certificate.LicenseId, CalExpiresAt = granted.Certificate.ExpiresAt }, cancellationToken);
        }

        return SignInPolicy.Recorded(asked.Answer, known);
    }
}
