// Checking the certificate a client presents (or last received) for one connection.
using RdsPlatform.Licensing;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.SessionHost.LicenseServers;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>A checked certificate and, when it is one the gateway may hand back, its token state (bytes and what they say).</summary>
public readonly record struct PresentedCheck(CertificateCheck Check, TokenState? State)
{
    public static PresentedCheck NotPresented => default;
}

/// <summary>
/// Checks the certificate a client presents, or the one the gateway last gave it: against the token states first (equal
/// bytes need no signature check), else with the license servers' keys; the shared cache stands in for a lost certificate.
/// </summary>
public sealed class CertificateChecks(TokenStateCache tokens, RevocationList revocations, LicenseServerRegistry servers, GatewayMetrics metrics)
{
    /// <summary>The presented bytes, or when none the certificate last given to the client: checked for this connection.</summary>
    public ValueTask<PresentedCheck> CheckAsync(SessionHostSettings host, CertificateExpectation expected, ReadOnlyMemory<byte> presented,
        DateTimeOffset now, CancellationToken cancellationToken) =>
        presented.IsEmpty ? KnownTokenAsync(host, expected, now, cancellationToken) : CheckPresentedAsync(host, expected, presented, now, cancellationToken);

    /// <summary>The session's CAL as a token state of this process, else of the shared cache (verified); null when neither knows it.</summary>
    public async Task<CalCertificate?> KnownCertificateAsync(SessionHostSettings host, SessionState session, CancellationToken cancellationToken)
    {
        if (host.CalType is not { } type || session.LicenseId is null)
        {
            return null;
        }

        var subject = CalSubject.Format(type, session.HardwareId, session.UserDomain, session.UserName);
        if (tokens.TryGet(type, subject, out var state))
        {
            return state.Certificate.LicenseId == session.LicenseId ? state.Certificate : null;
        }

        // Pushed out of process (Gateway:TokenCacheCapacity) or handed out by another replica.
        return await SharedTokenAsync(host, type, subject, cancellationToken) is { } shared && shared.Certificate.LicenseId == session.LicenseId
            ? shared.Certificate
            : null;
    }

    /// <summary>The presented bytes: equal to the known token state (no signature check), else verified with the license servers' keys.</summary>
    private ValueTask<PresentedCheck> CheckPresentedAsync(
        SessionHostSettings host, CertificateExpectation expected, ReadOnlyMemory<byte> presented, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (tokens.TryGet(expected.Type, expected.Subject, out var known) && known.Bytes.AsSpan().SequenceEqual(presented.Span))
        {
            // The hot path of every connection with a valid certificate: answered synchronously, nothing allocated here.
            metrics.CertificateVerified(cacheHit: true);
            return ValueTask.FromResult(new PresentedCheck(CertificateVerifier.Evaluate(known.Certificate, expected, now, revocations), known));
        }

        metrics.CertificateVerified(cacheHit: false);
        return VerifyPresentedAsync(host, expected, presented, now, cancellationToken);
    }

    private async ValueTask<PresentedCheck> VerifyPresentedAsync(
        SessionHostSettings host, CertificateExpectation expected, ReadOnlyMemory<byte> presented, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sawKey = false;
        foreach (var server in await VerifyingServersAsync(host, cancellationToken))
        {
            sawKey = true;
            var check = server.Verifier!.Check(presented.Span, expected, now, revocations);
            if (check.Status == CertificateCheckStatus.BadSignature)
            {
                continue;
            }

            return new(check, check.Certificate is { } certificate ? new TokenState(presented.ToArray(), certificate) : null);
        }

        // No key known at all: the bytes cannot be judged, so the connection goes as if none were presented.
        return sawKey ? new(new CertificateCheck(CertificateCheckStatus.BadSignature, null), null) : PresentedCheck.NotPresented;
    }

    /// <summary>For a client that presented nothing: the certificate this gateway (or a replica) last gave it.</summary>
    private async ValueTask<PresentedCheck> KnownTokenAsync(
        SessionHostSettings host, CertificateExpectation expected, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!tokens.TryGet(expected.Type, expected.Subject, out var known))
        {
            if (await SharedTokenAsync(host, expected.Type, expected.Subject, cancellationToken) is not { } shared)
            {
                return PresentedCheck.NotPresented;
            }

            known = shared;
        }

        var check = CertificateVerifier.Evaluate(known.Certificate, expected, now, revocations);
        // Only a certificate that still licenses the client stands in for a presented one; otherwise the server decides afresh.
        // A revoked one stands in too, never to admit (the core asks for a new CAL, R8), but so that a device refused while no
        // server answers is told its CAL was revoked.
        return check.IsUsable || check.Status == CertificateCheckStatus.Revoked ? new(check, known) : PresentedCheck.NotPresented;
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
}
