using RdsPlatform.LicenseServer.Alerts;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.LicenseServer.Telemetry;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Outcomes;
using static RdsPlatform.LicenseServer.Application.ApplicationText;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>Revocation use case (R8): the core decides against the version's 20% cap read in the same transaction.</summary>
public sealed partial class RevocationService(
    ILicenseWriter writer,
    SeatReclaimer reclaimer,
    PoolChangeSignal pools,
    LicenseServerMetrics metrics,
    AlertMonitor alerts,
    TimeProvider time,
    ILogger<RevocationService> logger)
{
    public async Task<Outcome<RevokeAnswer>> RevokeAsync(Guid licenseId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var outcome = await writer.WriteAsync<Outcome<RevokeAnswer>>(session =>
        {
            reclaimer.ReclaimIfDue(session, now);
            if (session.FindLicense(licenseId) is not { } license)
            {
                return LicenseNotFound(licenseId);
            }

            var decision = RevocationPolicy.Revoke(license.Cal, session.LoadRevocationSnapshot(license.Cal.Version, now), now);
            if (!decision.Allowed)
            {
                return Problem.FailedPrecondition(decision.Message);
            }

            var revoked = license with { Cal = decision.Revoked! };
            session.UpdateLicense(revoked);
            session.Append(Audit(now, AuditEventType.LicenseRevoked, decision.Message, decision.Reason, revoked));
            return new RevokeAnswer(revoked, decision.Quota.Remaining, decision.Quota.NextRevokeAllowedAt);
        }, cancellationToken);
        if (outcome.Value is { } done)
        {
            metrics.Revoked(done.License.Cal);
            pools.PoolsChanged();
            if (done.RevocableRemaining == 0)
            {
                alerts.RevokeCapReached(done.License.Cal.Version, done.NextRevokeAllowedAt);
            }

            LogRevoked(done.License.Cal.LicenseId, done.License.Cal.Subject, done.RevocableRemaining);
        }

        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Revoked {LicenseId} of {Subject}; {Remaining} more may be revoked")]
    private partial void LogRevoked(Guid licenseId, string subject, int remaining);
}
