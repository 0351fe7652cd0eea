using Microsoft.Extensions.Options;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>
/// R18: with the security group on, a session host not on the list is refused (PermissionDenied) and the refusal is
/// audited, so the session host asks its next license server.
/// </summary>
public sealed partial class SecurityGroupGate(ILicenseWriter writer, IOptions<LicenseServerOptions> options, ILogger<SecurityGroupGate> logger)
{
    private readonly LicenseServerOptions _options = options.Value;

    /// <summary>Null when <paramref name="hostId"/> may be served; otherwise the audited refusal.</summary>
    public async Task<Problem?> RefuseOutsideAsync(string? hostId, DateTimeOffset now, CalType? type, ProductVersion? version,
        string? subject, CancellationToken cancellationToken)
    {
        if (!_options.SecurityGroupEnabled || _options.AllowedSessionHosts.Contains(hostId ?? "", StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        var refused = string.IsNullOrEmpty(hostId)
            ? "This license server serves only the session hosts of its security group, and the request names no session host; give session_host_id."
            : $"Session host '{hostId}' is not in this license server's security group; add it to LicenseServer:AllowedSessionHosts or disable the security group (LicenseServer:SecurityGroupEnabled=false).";
        await writer.WriteAsync(session =>
        {
            session.Append(new AuditEntry(now, AuditEventType.IssuanceFailed, refused, ReasonCode.HostNotAllowed, CalType: type,
                Version: version, Subject: subject, SessionHostId: hostId));
            return 0;
        }, cancellationToken);
        LogHostNotAllowed(hostId);
        return Problem.PermissionDenied(refused);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused session host {SessionHostId}: not in the security group")]
    private partial void LogHostNotAllowed(string? sessionHostId);
}
