// Deciding one Connect: the steps from a registered host and a client's attempt to a decision, a kept CAL and a session.
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Mapping;
using RdsPlatform.ServiceDefaults.Outcomes;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.SessionHost.LicenseServers;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>Who is connecting, as the session host saw it.</summary>
public sealed record ConnectAttempt(string HostId, string HardwareId, string ComputerName, string UserDomain, string UserName, ReadOnlyMemory<byte> Presented);

/// <summary>A connection decided by the core, with the certificate bytes the client must keep (null when unchanged or none).</summary>
public sealed record ConnectOutcome(ConnectionDecision Decision, TokenState? Certificate, byte[]? CertificateToKeep, string? SessionId);

/// <summary>
/// Decides a connection to a registered session host through the licensing core's <see cref="ConnectionPolicy"/>: checks the
/// certificate (<see cref="CertificateChecks"/>), asks the license servers only when the policy says so (<see cref="CalRequests"/>),
/// keeps the CAL in effect and starts the session.
/// </summary>
public sealed class ConnectionGateway(
    CertificateChecks certificates,
    CalRequests requests,
    LicenseServerRegistry servers,
    TokenStateCache tokens,
    SessionRegistry sessions,
    NotTrackedSignInOutbox notTracked,
    GatewayMetrics metrics,
    TimeProvider time)
{
    /// <summary>Decides one connection to <paramref name="host"/>, the host the caller looked up once for this Connect (null: not registered).</summary>
    public async Task<Outcome<ConnectOutcome>> ConnectAsync(SessionHostSettings? host, ConnectAttempt attempt, CancellationToken cancellationToken)
    {
        if (host is null)
        {
            return GatewayProblems.HostNotFound(attempt.HostId);
        }

        var now = time.GetUtcNow();
        var scope = ConnectionPolicy.ScopeFor(attempt.UserDomain, FirstServerScope(host));
        var presented = host.CalType is { } type && (type == CalType.PerDevice || scope == ServerScope.Domain)
            ? await certificates.CheckAsync(host, Expectation(host, type, attempt), attempt.Presented, now, cancellationToken)
            : PresentedCheck.NotPresented;
        var facts = new ConnectionFacts(host.Mode, host.Version, scope, host.GraceStartedAt, now, presented.Check);
        var plan = ConnectionPolicy.Plan(facts);
        var (decision, granted) = plan.Action == PlanAction.Decided
            ? (plan.Decision!, null)
            : await AskLicenseServersAsync(host, plan, facts, attempt, cancellationToken);

        var kept = Kept(decision, granted, presented.State);
        if (kept is not null)
        {
            tokens.Remember(kept);
        }

        if (plan.Action == PlanAction.Decided && decision.Reason == ReasonCode.PerUserNotTracked)
        {
            // R12: decided here, so the license server's audit trail (and the Per User report) would never see the user otherwise.
            await notTracked.AddAsync(attempt, cancellationToken);
        }

        var sessionId = decision.Admitted ? await StartSessionAsync(host, attempt, decision, kept, cancellationToken) : null;
        metrics.Decided(ContractMapping.ToContract(decision.Reason), decision.Admitted, host.Mode);
        var toKeep = kept is not null && !attempt.Presented.Span.SequenceEqual(kept.Bytes) ? kept.Bytes : null;
        return new ConnectOutcome(decision, kept, toKeep, sessionId);
    }

    /// <summary>Ends a session on any replica; the id of the session that ended, or a problem when no replica knew it.</summary>
    public async Task<Outcome<string>> DisconnectAsync(string sessionId, CancellationToken cancellationToken) =>
        await sessions.EndAsync(sessionId, cancellationToken) ? sessionId : GatewayProblems.SessionNotFound(sessionId);

    /// <summary>The RequestLicense a host sends for a device or user.</summary>
    internal static RequestLicenseRequest LicenseRequest(SessionHostSettings host, CalType type, ConnectAttempt attempt) =>
        CalRequests.LicenseRequest(host, type, attempt);

    private static CertificateExpectation Expectation(SessionHostSettings host, CalType type, ConnectAttempt attempt) =>
        new(type, CalSubject.Format(type, attempt.HardwareId, attempt.UserDomain, attempt.UserName), host.Version);

    /// <summary>The scope of the host's first license server, when the gateway knows it yet.</summary>
    private ServerScope? FirstServerScope(SessionHostSettings host) =>
        host.LicenseServers.Count > 0 ? servers.Get(host.LicenseServers[0]).Identity?.Scope : null;

    private async Task<(ConnectionDecision, TokenState?)> AskLicenseServersAsync(
        SessionHostSettings host, ConnectionPlan plan, ConnectionFacts facts, ConnectAttempt attempt, CancellationToken cancellationToken)
    {
        var asked = plan.Action == PlanAction.RenewLicense
            ? await requests.RenewAsync(host, facts.Presented.Certificate!, cancellationToken)
            : await requests.RequestAsync(host, plan.CalType!.Value, attempt, cancellationToken);
        return (ConnectionPolicy.Conclude(facts, asked.Answer), asked.Granted);
    }

    /// <summary>The token state of the CAL the decision put in effect: the one just granted, or the one checked; null for none.</summary>
    private static TokenState? Kept(ConnectionDecision decision, TokenState? granted, TokenState? presented) => decision.Certificate switch
    {
        null => null,
        var c when granted is not null && ReferenceEquals(c, granted.Certificate) => granted,
        var c when presented is not null && ReferenceEquals(c, presented.Certificate) => presented,
        _ => null,
    };

    private async Task<string> StartSessionAsync(
        SessionHostSettings host, ConnectAttempt attempt, ConnectionDecision decision, TokenState? kept, CancellationToken cancellationToken)
    {
        var sessionId = RandomIds.NewSessionId();
        await sessions.StartAsync(new SessionState(sessionId, host.HostId, attempt.HardwareId, attempt.ComputerName, attempt.UserDomain, attempt.UserName,
            kept?.Certificate.LicenseId, kept?.Certificate.Temporary ?? false, kept?.Certificate.ExpiresAt,
            host.CalType == CalType.PerUser && decision.Reason == ReasonCode.PerUserNotTracked), cancellationToken);
        return sessionId;
    }
}
