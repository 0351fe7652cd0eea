using Microsoft.Extensions.Options;
using RdsPlatform.LicenseServer.Telemetry;
using RdsPlatform.ServiceDefaults.Outcomes;
using static RdsPlatform.LicenseServer.Application.ApplicationText;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>
/// Issuance and renewal use cases: each write loads what the core needs inside one store transaction, lets
/// <see cref="IssuancePolicy"/> decide, and persists the decision with its audit entry (<see cref="IssuanceRecorder"/>).
/// </summary>
public sealed partial class IssuanceService(
    ILicenseWriter writer,
    LicenseServerIdentity identity,
    SecurityGroupGate securityGroup,
    SeatReclaimer reclaimer,
    PoolChangeSignal pools,
    LicenseServerMetrics metrics,
    IOptions<LicenseServerOptions> options,
    TimeProvider time,
    ILogger<IssuanceService> logger)
{
    private const string NotTracked = "Per User licenses are not tracked for users outside a domain; the user is admitted but reports show Not Tracking.";

    public async Task<Outcome<LicenseAnswer>> RequestAsync(LicenseRequestInput input, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var subject = CalSubject.Format(input.Type, input.HardwareId, input.UserDomain, input.UserName);
        var hostId = Blank(input.SessionHostId);
        if (await securityGroup.RefuseOutsideAsync(hostId, now, input.Type, input.HostVersion, subject, cancellationToken) is { } refused)
        {
            return refused;
        }

        var tracked = input.Type == CalType.PerDevice || IssuanceRules.TracksPerUser(options.Value.Scope, input.UserDomain);
        var answer = await writer.WriteAsync(new WriteScope(input.Type, subject, now), session =>
        {
            reclaimer.ReclaimIfDue(session, now);
            if (!tracked)
            {
                session.Append(new AuditEntry(now, AuditEventType.IssuanceFailed, NotTracked, ReasonCode.PerUserNotTracked,
                    CalType: CalType.PerUser, Version: input.HostVersion, Subject: subject, SessionHostId: hostId));
                return new LicenseAnswer(ReasonCode.PerUserNotTracked, NotTracked, null, null);
            }

            var existing = session.LoadSubjectLicenses(input.Type, subject);
            var snapshot = new IssuanceSnapshot(session.Server.Activation.IsActivated, session.LoadPackSnapshots(input.Type, now),
                existing.Select(l => l.Cal).ToList());
            var decision = IssuancePolicy.Decide(snapshot, new LicenseRequest(input.Type, subject, input.HostVersion, input.PreventUpgrade), now, Random.Shared);
            return IssuanceRecorder.Persist(session, decision, existing, input, subject, hostId, now);
        }, cancellationToken);
        return Answered(answer);
    }

    public async Task<Outcome<LicenseRecord>> MarkValidatedAsync(Guid licenseId, string? sessionHostId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (await securityGroup.RefuseOutsideAsync(Blank(sessionHostId), now, null, null, null, cancellationToken) is { } refused)
        {
            return refused;
        }

        return await writer.WriteAsync<Outcome<LicenseRecord>>(session =>
        {
            if (session.FindLicense(licenseId) is not { } license)
            {
                return LicenseNotFound(licenseId);
            }

            var decision = IssuancePolicy.MarkValidated(license.Cal);
            if (decision.Kind != IssuanceKind.Update)
            {
                return license;
            }

            var validated = license with { Cal = decision.Cal!, SessionHostId = Blank(sessionHostId) ?? license.SessionHostId };
            session.UpdateLicense(validated);
            session.Append(Audit(now, AuditEventType.LicenseValidated, decision.Message, decision.Reason, validated));
            return validated;
        }, cancellationToken);
    }

    public async Task<Outcome<LicenseAnswer>> RenewAsync(Guid licenseId, string? sessionHostId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (await securityGroup.RefuseOutsideAsync(Blank(sessionHostId), now, null, null, null, cancellationToken) is { } refused)
        {
            return refused;
        }

        var outcome = await writer.WriteAsync<Outcome<LicenseAnswer>>(session =>
        {
            reclaimer.ReclaimIfDue(session, now);
            if (session.FindLicense(licenseId) is not { } license)
            {
                return LicenseNotFound(licenseId);
            }

            // R9: a Per User CAL outside the pool tries it first, so the core needs the Per User packs (one indexed read; renewals are rare).
            var pool = license.Cal.Type == CalType.PerUser
                ? new IssuanceSnapshot(session.Server.Activation.IsActivated, session.LoadPackSnapshots(CalType.PerUser, now), [license.Cal])
                : null;
            var decision = IssuancePolicy.Renew(license.Cal, now, Random.Shared, pool);
            return IssuanceRecorder.PersistRenewal(session, decision, license, Blank(sessionHostId), now);
        }, cancellationToken);
        return outcome.Value is { } answer ? Answered(answer) : outcome;
    }

    /// <summary>Counts and logs a committed issuance (a write rolled back with its savepoint never gets here), and signs the answer.</summary>
    private Outcome<LicenseAnswer> Answered(LicenseAnswer answer)
    {
        if (answer is { Issued: true, License.Cal: var cal })
        {
            metrics.Issued(cal);
            pools.PoolsChanged();
            LogIssued(cal.LicenseId, cal.Subject, cal.Status, cal.Version);
        }

        if (answer.License is not { } license || !IssuanceRules.CarriesCertificate(answer.Reason))
        {
            return answer;
        }

        var id = identity.Current;
        return answer with { Certificate = id.Signer.Sign(CalCertificate.For(license.Cal, id.ServerId)) };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Issued {LicenseId} ({Status} {Version}) to {Subject}")]
    private partial void LogIssued(Guid licenseId, string subject, CalStatus status, ProductVersion version);
}
