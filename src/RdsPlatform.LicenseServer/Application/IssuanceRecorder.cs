using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;
using static RdsPlatform.LicenseServer.Application.ApplicationText;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>Persists the core's issuance and renewal decisions inside their write, each with its audit entry.</summary>
internal static class IssuanceRecorder
{
    public static LicenseAnswer Persist(ILicenseWriteSession session, IssuanceOutcome decision, IReadOnlyList<LicenseRecord> existing,
        LicenseRequestInput input, string subject, string? hostId, DateTimeOffset now)
    {
        if (decision.Kind == IssuanceKind.Refuse || decision.Cal is null)
        {
            session.Append(new AuditEntry(now, AuditEventType.IssuanceFailed, decision.Message, decision.Reason,
                CalType: input.Type, Version: input.HostVersion, Subject: subject, SessionHostId: hostId));
            return new LicenseAnswer(decision.Reason, decision.Message, null, null);
        }

        var cal = decision.Cal;
        if (!ActivationPolicy.MayIssue(session.Server.Activation, cal.Type, cal.Status) && decision.Kind != IssuanceKind.Reuse)
        {
            throw new InvalidOperationException($"The core decided a {cal.Status} CAL that a server in state {session.Server.Activation.Status} may not issue.");
        }

        var previous = existing.FirstOrDefault(l => l.Cal.LicenseId == cal.LicenseId);
        var record = new LicenseRecord(cal,
            Blank(input.ComputerName) ?? previous?.ComputerName,
            input.Type == CalType.PerUser ? Blank(input.UserDomain) : previous?.UserDomain,
            input.Type == CalType.PerUser ? Blank(input.UserName) : previous?.UserName,
            hostId ?? previous?.SessionHostId);

        switch (decision.Kind)
        {
            case IssuanceKind.Issue:
                session.InsertLicense(record);
                break;
            case IssuanceKind.Update:
                session.UpdateLicense(record);
                break;
            default:
                if (record != previous)
                {
                    // Only who last asked and from where changed: no licensing event, no audit entry.
                    session.UpdateLicense(record);
                }

                return new LicenseAnswer(decision.Reason, decision.Message, record, null);
        }

        GuardSeat(session, decision, now);
        session.Append(Audit(now, AuditTypeOf(decision, cal), decision.Message, decision.Reason, record));
        return new LicenseAnswer(decision.Reason, decision.Message, record, null)
        {
            Issued = decision.Kind == IssuanceKind.Issue || decision.SeatTakenFrom is not null,
        };
    }

    public static LicenseAnswer PersistRenewal(ILicenseWriteSession session, IssuanceOutcome decision, LicenseRecord license, string? hostId, DateTimeOffset now)
    {
        if (decision.Kind != IssuanceKind.Update)
        {
            return new LicenseAnswer(decision.Reason, decision.Message, license, null);
        }

        var renewed = license with { Cal = decision.Cal!, SessionHostId = hostId ?? license.SessionHostId };
        session.UpdateLicense(renewed);
        GuardSeat(session, decision, now);
        session.Append(Audit(now, decision.SeatTakenFrom is null ? AuditEventType.LicenseRenewed : AuditTypeOf(decision, renewed.Cal),
            decision.Message, decision.Reason, renewed));
        return new LicenseAnswer(decision.Reason, decision.Message, renewed, null) { Issued = decision.SeatTakenFrom is not null };
    }

    private static void GuardSeat(ILicenseWriteSession session, IssuanceOutcome decision, DateTimeOffset now)
    {
        if (decision.SeatTakenFrom is { } packId && session.FindKeyPack(packId, now) is { } pack && pack.Issued > pack.Installed)
        {
            // R7 is the core's decision on a snapshot taken in this transaction; this guard only catches a store bug, and rolls back.
            throw new InvalidOperationException($"Key pack {packId} would hold {pack.Issued} issued CALs of {pack.Installed} installed.");
        }
    }

    private static AuditEventType AuditTypeOf(IssuanceOutcome decision, IssuedCal cal) => decision.Reason switch
    {
        ReasonCode.CalUpgraded => AuditEventType.LicenseUpgraded,
        ReasonCode.CalRenewed => AuditEventType.LicenseRenewed,
        ReasonCode.TemporaryCalValidated => AuditEventType.LicenseValidated,
        _ when cal.Status == CalStatus.OverUsed => AuditEventType.LicenseOverUsed,
        _ => AuditEventType.LicenseIssued,
    };
}
