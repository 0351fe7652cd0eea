using Google.Protobuf;
using Microsoft.Extensions.Options;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Licensing;
using RdsPlatform.SessionHost.Grpc;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.SessionHost.LicenseServers;
using RdsPlatform.ServiceDefaults.Mapping;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>Who is connecting, as the session host saw it.</summary>
public sealed record ConnectAttempt(string HostId, string HardwareId, string ComputerName, string UserDomain, string UserName, ReadOnlyMemory<byte> Presented);

/// <summary>A connection decided by the core, with the certificate bytes the client must keep (null when unchanged or none).</summary>
public sealed record ConnectOutcome(ConnectionDecision Decision, TokenState? Certificate, byte[]? CertificateToKeep, string? SessionId);

/// <summary>What SignIn did.</summary>
public sealed record SignInOutcome(ReasonCode Reason, string Message, CalCertificate? Certificate);

/// <summary>
/// Decides connections through the licensing core's <see cref="ConnectionPolicy"/>: checks the presented certificate locally
/// (token state, then the license server's verifier), asks the license servers only when the policy says so, and keeps sessions.
/// </summary>
public sealed partial class ConnectionGateway(
    SessionHostStore hosts,
    LicenseServerRegistry servers,
    TokenStateCache tokens,
    RevocationList revocations,
    SessionRegistry sessions,
    NotTrackedSignInOutbox notTracked,
    GatewayMetrics metrics,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<ConnectionGateway> logger)
{
    /// <summary>Decides one connection; null when the host is not registered.</summary>
    public async Task<ConnectOutcome?> ConnectAsync(ConnectAttempt attempt, CancellationToken cancellationToken)
    {
        var host = hosts.Find(attempt.HostId);
        if (host is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var type = host.CalType;
        var subject = type == CalType.PerUser ? UserSubject(attempt.UserDomain, attempt.UserName) : attempt.HardwareId.Trim();
        var scope = ScopeOf(host, attempt.UserDomain);
        var presented = CertificateCheck.NotPresented;
        TokenState? presentedState = null;
        if (type is { } calType && (calType == CalType.PerDevice || scope == ServerScope.Domain))
        {
            var expected = new CertificateExpectation(calType, subject, host.Version);
            (presented, presentedState) = attempt.Presented.IsEmpty
                ? await KnownTokenAsync(host, expected, now, cancellationToken)
                : await CheckPresentedAsync(host, expected, attempt.Presented, now, cancellationToken);
        }

        var facts = new ConnectionFacts(host.Mode, host.Version, scope, host.GraceStartedAt, now, presented);
        var plan = ConnectionPolicy.Plan(facts);
        TokenState? granted = null;
        ConnectionDecision decision;
        if (plan.Action == PlanAction.Decided)
        {
            decision = plan.Decision!;
        }
        else
        {
            var asked = plan.Action == PlanAction.RenewLicense
                ? await RenewAsync(host, presented.Certificate!, cancellationToken)
                : await RequestAsync(host, plan.CalType!.Value, attempt, cancellationToken);
            granted = asked.Granted;
            if (asked.Answer?.Reason == ReasonCode.PerUserNotTracked)
            {
                // The license server is in a workgroup: the core decides Not Tracking from the scope.
                facts = facts with { Scope = ServerScope.Workgroup };
            }

            decision = ConnectionPolicy.Conclude(facts, asked.Answer);
        }

        var kept = decision.Certificate switch
        {
            null => null,
            var c when granted is not null && ReferenceEquals(c, granted.Certificate) => granted,
            var c when presentedState is not null && ReferenceEquals(c, presentedState.Certificate) => presentedState,
            _ => null,
        };
        if (kept is not null)
        {
            tokens.Remember(kept);
        }

        if (plan.Action == PlanAction.Decided && decision.Reason == ReasonCode.PerUserNotTracked)
        {
            // R12: decided here, so the license server's audit trail (and the Per User report) would never see the user otherwise.
            await notTracked.AddAsync(attempt, cancellationToken);
        }

        string? sessionId = null;
        if (decision.Admitted)
        {
            sessionId = Guid.NewGuid().ToString("N");
            sessions.Start(new SessionState(sessionId, host.HostId, attempt.HardwareId, attempt.ComputerName, attempt.UserDomain, attempt.UserName,
                kept?.Certificate.LicenseId, kept?.Certificate.Temporary ?? false, kept?.Certificate.ExpiresAt,
                type == CalType.PerUser && decision.Reason == Licensing.ReasonCode.PerUserNotTracked));
        }

        metrics.Decided(ContractMapping.ToContract(decision.Reason), decision.Admitted, host.Mode);
        var toKeep = kept is not null && !attempt.Presented.Span.SequenceEqual(kept.Bytes) ? kept.Bytes : null;
        return new ConnectOutcome(decision, kept, toKeep, sessionId);
    }

    /// <summary>Validates a temporary Per Device CAL (R4) or records/extends a Per User CAL (R10); null when the session is unknown.</summary>
    public async Task<SignInOutcome?> SignInAsync(string sessionId, CancellationToken cancellationToken)
    {
        var session = await sessions.FindAsync(sessionId, cancellationToken);
        if (session is null || hosts.Find(session.HostId) is not { } host)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var graceDays = GracePeriod.DaysLeft(host.GraceStartedAt, now);
        var known = await KnownCertificateAsync(host, session, cancellationToken);
        switch (host.Mode)
        {
            case LicensingMode.PerDevice when session.LicenseId is { } licenseId && session.TemporaryCal:
            {
                var reply = await servers.FirstAnswerAsync(host.LicenseServers,
                    (server, options) => server.Client.MarkLicenseValidatedAsync(
                        new MarkLicenseValidatedRequest { LicenseId = licenseId.ToString(), SessionHostId = host.HostId }, options).ResponseAsync,
                    cancellationToken);
                return reply is null
                    ? new SignInOutcome(ReasonCode.NoLicenseServer,
                        "The user signed in, but no license server answered to validate the device's temporary license; it is validated at a later sign-in.", known)
                    : new SignInOutcome(ReasonCode.TemporaryCalValidated,
                        "The user signed in and the device's temporary license was validated; it is upgraded to a permanent license at the next connection if a Per Device license is available.",
                        known);
            }

            case LicensingMode.PerDevice when known is not null || session.LicenseId is not null:
                // Admitted at Connect with this CAL; its details are shown when its token state is still known here or in the shared cache.
                return new SignInOutcome(ReasonCode.ValidCal, ConnectionPolicy.Describe(ReasonCode.ValidCal), known);

            case LicensingMode.PerUser when session.NotTracked:
                return new SignInOutcome(ReasonCode.PerUserNotTracked, ConnectionPolicy.Describe(ReasonCode.PerUserNotTracked), null);

            case LicensingMode.PerUser:
                return await SignInPerUserAsync(host, session, known, now, cancellationToken);

            default:
                return graceDays > 0
                    ? new SignInOutcome(ReasonCode.GracePeriod, $"{ConnectionPolicy.Describe(ReasonCode.GracePeriod)} {graceDays} days are left.", null)
                    : new SignInOutcome(ReasonCode.ModeNotConfigured, ConnectionPolicy.Describe(ReasonCode.ModeNotConfigured), null);
        }
    }

    public Task<bool> DisconnectAsync(string sessionId, CancellationToken cancellationToken) => sessions.EndAsync(sessionId, cancellationToken);

    private async Task<SignInOutcome> SignInPerUserAsync(SessionHostSettings host, SessionState session, CalCertificate? known, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Asked asked;
        switch (ConnectionPolicy.PlanPerUserSignIn(known, now))
        {
            case PlanAction.RequestLicense:
                // Not recorded yet, expired, or OverUsed: the server records the user, or moves it into a seat freed since (R9).
                asked = await RequestAsync(host, CalType.PerUser,
                    new ConnectAttempt(host.HostId, session.HardwareId, session.ComputerName, session.UserDomain, session.UserName, default), cancellationToken);
                break;
            case PlanAction.RenewLicense:
                asked = await RenewAsync(host, known!, cancellationToken);
                break;
            default:
                return new SignInOutcome(ReasonCode.PerUserRecorded,
                    $"The user signed in; the Per User client access license is recorded until {known!.ExpiresAt:yyyy-MM-dd}.", known);
        }

        if (asked.Answer is null)
        {
            return new SignInOutcome(ReasonCode.NoLicenseServer,
                "The user signed in, but no license server answered to record the Per User license; it is recorded at a later sign-in.", known);
        }

        if (asked.Granted is { } granted)
        {
            tokens.Remember(granted);
            sessions.Update(session with { LicenseId = granted.Certificate.LicenseId, CalExpiresAt = granted.Certificate.ExpiresAt });
            var reason = asked.Answer.Reason == ReasonCode.ValidCal ? ReasonCode.PerUserRecorded : asked.Answer.Reason;
            return new SignInOutcome(reason, ConnectionPolicy.Describe(reason), granted.Certificate);
        }

        return new SignInOutcome(asked.Answer.Reason, ConnectionPolicy.Describe(asked.Answer.Reason), known);
    }

    /// <summary>The session's CAL as a token state of this process, else of the shared cache (verified); null when neither knows it.</summary>
    private async Task<CalCertificate?> KnownCertificateAsync(SessionHostSettings host, SessionState session, CancellationToken cancellationToken)
    {
        if (host.CalType is not { } type || session.LicenseId is null)
        {
            return null;
        }

        var subject = type == CalType.PerUser ? UserSubject(session.UserDomain, session.UserName) : session.HardwareId.Trim();
        if (tokens.TryGet(type, subject, out var state))
        {
            return state.Certificate.LicenseId == session.LicenseId ? state.Certificate : null;
        }

        // Pushed out of process (Gateway:TokenCacheCapacity) or handed out by another replica.
        return await SharedTokenAsync(host, type, subject, cancellationToken) is { } shared && shared.Certificate.LicenseId == session.LicenseId
            ? shared.Certificate
            : null;
    }

    /// <summary>The token state the shared cache holds for the subject, verified with the license servers' keys; null when none or it does not verify.</summary>
    private async Task<TokenState?> SharedTokenAsync(SessionHostSettings host, CalType type, string subject, CancellationToken cancellationToken)
    {
        if (await tokens.FindSharedAsync(type, subject, cancellationToken) is not { } shared)
        {
            return null;
        }

        foreach (var server in await VerifyingServersAsync(host, cancellationToken))
        {
            if (server.Verifier!.Verify(shared) is { Status: CertificateCheckStatus.Valid, Certificate: { } certificate })
            {
                return new TokenState(shared, certificate);
            }
        }

        return null;
    }

    /// <summary>The presented bytes: equal to the known token state (no signature check), else verified with the license servers' keys.</summary>
    private async Task<(CertificateCheck, TokenState?)> CheckPresentedAsync(
        SessionHostSettings host, CertificateExpectation expected, ReadOnlyMemory<byte> presented, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (tokens.TryGet(expected.Type, expected.Subject, out var known) && known.Bytes.AsSpan().SequenceEqual(presented.Span))
        {
            metrics.CertificateVerified(cacheHit: true);
            return (CertificateVerifier.Evaluate(known.Certificate, expected, now, revocations), known);
        }

        metrics.CertificateVerified(cacheHit: false);
        var sawKey = false;
        foreach (var server in await VerifyingServersAsync(host, cancellationToken))
        {
            sawKey = true;
            var check = server.Verifier!.Check(presented.Span, expected, now, revocations);
            if (check.Status == CertificateCheckStatus.BadSignature)
            {
                continue;
            }

            return (check, check.Certificate is { } certificate ? new TokenState(presented.ToArray(), certificate) : null);
        }

        // No key known at all: the bytes cannot be judged, so the connection goes as if none were presented.
        return (sawKey ? new CertificateCheck(CertificateCheckStatus.BadSignature, null) : CertificateCheck.NotPresented, null);
    }

    /// <summary>For a client that presented nothing: the certificate this gateway (or a replica) last gave it.</summary>
    private async Task<(CertificateCheck, TokenState?)> KnownTokenAsync(
        SessionHostSettings host, CertificateExpectation expected, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!tokens.TryGet(expected.Type, expected.Subject, out var known))
        {
            if (await SharedTokenAsync(host, expected.Type, expected.Subject, cancellationToken) is not { } shared)
            {
                return (CertificateCheck.NotPresented, null);
            }

            known = shared;
        }

        var check = CertificateVerifier.Evaluate(known.Certificate, expected, now, revocations);
        // Only a certificate that still licenses the client stands in for a presented one; otherwise the server decides afresh.
        // A revoked one stands in too, never to admit (the core asks for a new CAL, R8), but so that a device refused while no
        // server answers is told its CAL was revoked.
        return check.IsUsable || check.Status == CertificateCheckStatus.Revoked ? (check, known) : (CertificateCheck.NotPresented, null);
    }

    private async Task<List<LicenseServerConnection>> VerifyingServersAsync(SessionHostSettings host, CancellationToken cancellationToken)
    {
        var result = new List<LicenseServerConnection>(host.LicenseServers.Count);
        foreach (var entry in host.LicenseServers)
        {
            var server = servers.Get(entry);
            if (server.Verifier is null)
            {
                // Cold start only: the key is fetched once, then remembered in process and in the gateway's file.
                await servers.EnsureIdentityAsync(server, cancellationToken);
            }

            if (server.Verifier is not null && !result.Contains(server))
            {
                result.Add(server);
            }
        }

        // Certificates from a server the host used before it was reconfigured still verify.
        foreach (var server in servers.Known)
        {
            if (server.Verifier is not null && !result.Contains(server))
            {
                result.Add(server);
            }
        }

        return result;
    }

    private async Task<Asked> RequestAsync(SessionHostSettings host, CalType type, ConnectAttempt attempt, CancellationToken cancellationToken)
    {
        var request = LicenseRequest(host, type, attempt);
        var reply = await servers.FirstAnswerAsync(host.LicenseServers,
            // A server whose security group leaves this host out answers PermissionDenied, and the next one is asked (R18).
            (server, options) => server.Client.RequestLicenseAsync(request, options).ResponseAsync,
            cancellationToken);
        return reply is null ? new Asked(null, null) : Interpret(reply.Server, reply.Response.Reason, reply.Response.License, reply.Response.Certificate);
    }

    /// <summary>The RequestLicense a host sends for a device or user.</summary>
    internal static RequestLicenseRequest LicenseRequest(SessionHostSettings host, CalType type, ConnectAttempt attempt) => new()
    {
        SessionHostId = host.HostId,
        SessionHostVersion = ContractMapping.ToContract(host.Version),
        CalType = ContractMapping.ToContract(type),
        HardwareId = attempt.HardwareId,
        ComputerName = attempt.ComputerName,
        UserDomain = attempt.UserDomain,
        UserName = attempt.UserName,
        PreventUpgrade = host.PreventUpgrade,
    };

    private async Task<Asked> RenewAsync(SessionHostSettings host, CalCertificate certificate, CancellationToken cancellationToken)
    {
        var request = new RenewLicenseRequest { LicenseId = certificate.LicenseId.ToString(), SessionHostId = host.HostId };
        var reply = await servers.FirstAnswerAsync(host.LicenseServers,
            (server, options) => server.Client.RenewLicenseAsync(request, options).ResponseAsync,
            cancellationToken);
        return reply is null ? new Asked(null, null) : Interpret(reply.Server, reply.Response.Reason, reply.Response.License, reply.Response.Certificate);
    }

    private Asked Interpret(LicenseServerConnection server, Contracts.Common.V1.ReasonCode wireReason, IssuedLicense? license, Contracts.Common.V1.CalCertificate? certificate)
    {
        if (license is { Status: Contracts.Common.V1.CalStatus.Revoked } && Guid.TryParse(license.LicenseId, out var revokedId))
        {
            revocations.Add(revokedId);
        }

        var reason = ContractMapping.ToCore(wireReason) ?? ReasonCode.NoLicensesAvailable;
        TokenState? granted = null;
        if (certificate is { Data.IsEmpty: false } && IsGrant(reason))
        {
            var bytes = certificate.Data.ToByteArray();
            var verified = server.Verifier is { } verifier && Guid.TryParse(server.Identity?.ServerId, out var issuer)
                ? verifier.TrustIssued(bytes, issuer, Math.Max(1, options.Value.IssuedCertificateSpotCheck))
                : default;
            if (verified.Status == CertificateCheckStatus.Valid)
            {
                granted = new TokenState(bytes, verified.Certificate!);
            }
            else
            {
                // Its key may have changed since it was read: read it again before the next call.
                server.RefreshIdentitySoon();
                LogUntrustedCertificate(server.Address, verified.Status);
            }
        }

        return new Asked(new LicenseServerAnswer(granted is not null, reason, granted?.Certificate), granted);
    }

    private static bool IsGrant(ReasonCode reason) => reason is ReasonCode.TemporaryCalIssued or ReasonCode.CalUpgraded or ReasonCode.ValidCal
        or ReasonCode.CalRenewed or ReasonCode.PerUserRecorded or ReasonCode.PerUserOverUsed;

    private ServerScope ScopeOf(SessionHostSettings host, string userDomain)
    {
        if (string.IsNullOrWhiteSpace(userDomain))
        {
            return ServerScope.Workgroup;
        }

        // The first license server's scope, when known, says whether users can be tracked (R12).
        return host.LicenseServers.Count > 0 && servers.Get(host.LicenseServers[0]).Identity is { Scope: ServerScope.Workgroup }
            ? ServerScope.Workgroup
            : ServerScope.Domain;
    }

    /// <summary>The subject of a Per User CAL, as license servers write it.</summary>
    internal static string UserSubject(string domain, string name) => $"{domain.Trim()}\\{name.Trim()}";

    private sealed record Asked(LicenseServerAnswer? Answer, TokenState? Granted);

    [LoggerMessage(Level = LogLevel.Error, Message = "License server {Address} returned a certificate that does not verify ({Status}); it was not handed to the client")]
    private partial void LogUntrustedCertificate(string address, CertificateCheckStatus status);
}
