// Asking a host's license servers for a CAL, a renewal or a validation, and reading their answers.
using Microsoft.Extensions.Options;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Mapping;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.SessionHost.LicenseServers;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>A license server's answer in the core's terms (null when none answered), and the CAL it granted with its bytes.</summary>
public sealed record CalRequestResult(LicenseServerAnswer? Answer, TokenState? Granted)
{
    public static readonly CalRequestResult Unanswered = new(null, null);
}

/// <summary>
/// Asks a host's license servers for a CAL (request, renewal) or to validate one, and reads their answers: a revoked CAL goes to
/// the <see cref="RevocationList"/>, a granted certificate is kept only when it verifies as its server's.
/// </summary>
public sealed partial class CalRequests(
    LicenseServerRegistry servers,
    RevocationList revocations,
    IOptions<GatewayOptions> options,
    ILogger<CalRequests> logger)
{
    public async Task<CalRequestResult> RequestAsync(SessionHostSettings host, CalType type, ConnectAttempt attempt, CancellationToken cancellationToken)
    {
        var request = LicenseRequest(host, type, attempt);
        var reply = await servers.FirstAnswerAsync(host.LicenseServers,
            // A server whose security group leaves this host out answers PermissionDenied, and the next one is asked (R18).
            (server, callOptions) => server.Client.RequestLicenseAsync(request, callOptions).ResponseAsync,
            cancellationToken);
        return reply is null ? CalRequestResult.Unanswered : Interpret(reply.Server, reply.Response.Reason, reply.Response.License, reply.Response.Certificate);
    }

    public async Task<CalRequestResult> RenewAsync(SessionHostSettings host, CalCertificate certificate, CancellationToken cancellationToken)
    {
        var request = new RenewLicenseRequest { LicenseId = certificate.LicenseId.ToString(), SessionHostId = host.HostId };
        var reply = await servers.FirstAnswerAsync(host.LicenseServers,
            (server, callOptions) => server.Client.RenewLicenseAsync(request, callOptions).ResponseAsync,
            cancellationToken);
        return reply is null ? CalRequestResult.Unanswered : Interpret(reply.Server, reply.Response.Reason, reply.Response.License, reply.Response.Certificate);
    }

    /// <summary>Marks a temporary CAL validated after its user signed in (R4); false when no license server answered.</summary>
    public async Task<bool> ValidateAsync(SessionHostSettings host, Guid licenseId, CancellationToken cancellationToken)
    {
        var request = new MarkLicenseValidatedRequest { LicenseId = licenseId.ToString(), SessionHostId = host.HostId };
        var reply = await servers.FirstAnswerAsync(host.LicenseServers,
            (server, callOptions) => server.Client.MarkLicenseValidatedAsync(request, callOptions).ResponseAsync,
            cancellationToken);
        return reply is not null;
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

    private CalRequestResult Interpret(LicenseServerConnection server, Contracts.Common.V1.ReasonCode wireReason, IssuedLicense? license,
        Contracts.Common.V1.CalCertificate? certificate)
    {
        if (license is { Status: Contracts.Common.V1.CalStatus.Revoked } && Guid.TryParse(license.LicenseId, out var revokedId))
        {
            revocations.Add(revokedId);
        }

        var reason = ContractMapping.ToCore(wireReason) ?? ReasonCode.NoLicensesAvailable;
        var granted = certificate is { Data.IsEmpty: false } && ConnectionPolicy.IsGrant(reason) ? Trusted(server, certificate.Data.ToByteArray()) : null;
        return new CalRequestResult(new LicenseServerAnswer(granted is not null, reason, granted?.Certificate), granted);
    }

    /// <summary>A certificate the server just returned, when it verifies as that server's (spot-checked: see <see cref="GatewayOptions.IssuedCertificateSpotCheck"/>).</summary>
    private TokenState? Trusted(LicenseServerConnection server, byte[] bytes)
    {
        var verified = server.Verifier is { } verifier && Guid.TryParse(server.Identity?.ServerId, out var issuer)
            ? verifier.TrustIssued(bytes, issuer, options.Value.IssuedCertificateSpotCheck)
            : default;
        if (verified.Status == CertificateCheckStatus.Valid)
        {
            return new TokenState(bytes, verified.Certificate!);
        }

        // Its key may have changed since it was read: read it again before the next call.
        server.RefreshIdentitySoon();
        LogUntrustedCertificate(server.Address, verified.Status);
        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "License server {Address} returned a certificate that does not verify ({Status}); it was not handed to the client")]
    private partial void LogUntrustedCertificate(string address, CertificateCheckStatus status);
}
