using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using RdsPlatform.LicenseServer.Alerts;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.LicenseServer.Telemetry;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>
/// The license server's use cases. Each write loads what the core needs inside one store transaction, lets the core
/// decide, and persists the decision with its audit entry; no licensing rule is decided here.
/// </summary>
public sealed partial class LicenseServerApplication(
    ILicenseStore store,
    LicenseServerIdentity identity,
    IOptions<LicenseServerOptions> options,
    TimeProvider time,
    LicenseServerMetrics metrics,
    AlertMonitor alerts,
    ILogger<LicenseServerApplication> logger)
{
    /// <summary>Expired seats reclaimed per write at most, so one write never pays for a long backlog (the sweep catches up).</summary>
    internal const int ReclaimBatch = 500;

    private readonly LicenseServerOptions _options = options.Value;

    public async Task<ServerInfo> GetServerInfoAsync(CancellationToken cancellationToken)
    {
        var id = await identity.GetAsync(cancellationToken);
        var server = await store.GetServerAsync(cancellationToken);
        return Info(server.Activation, id);
    }

    public async Task<Outcome<ServerInfo>> ActivateAsync(ActivationContact? contact, CancellationToken cancellationToken)
    {
        var id = await identity.GetAsync(cancellationToken);
        return await ChangeActivationAsync(id, state => ActivationPolicy.Activate(state, contact, time.GetUtcNow()),
            AuditEventType.ServerActivated, null, cancellationToken);
    }

    public async Task<Outcome<ServerInfo>> DeactivateAsync(string? reason, CancellationToken cancellationToken)
    {
        var id = await identity.GetAsync(cancellationToken);
        return await ChangeActivationAsync(id, state => ActivationPolicy.Deactivate(state, time.GetUtcNow()),
            AuditEventType.ServerDeactivated, reason, cancellationToken);
    }

    public async Task<Outcome<ServerInfo>> ReactivateAsync(string? reason, ActivationContact? contact, CancellationToken cancellationToken)
    {
        var id = await identity.GetAsync(cancellationToken);
        return await ChangeActivationAsync(id, state => ActivationPolicy.Reactivate(state, reason, time.GetUtcNow(), contact),
            AuditEventType.ServerReactivated, reason, cancellationToken);
    }

    public async Task<Outcome<KeyPackRecord>> InstallKeyPackAsync(KeyPackRequest request, CancellationToken cancellationToken)
    {
        await identity.GetAsync(cancellationToken);
        var validation = KeyPackValidator.Validate(request, _options.ProductVersion);
        if (!validation.IsValid)
        {
            return validation.Reason == ReasonCode.VersionNotHosted
                ? new Problem(ProblemKind.FailedPrecondition, validation.Violations[0].Description)
                : Problem.Invalid("The key pack cannot be installed.", validation.Violations);
        }

        var now = time.GetUtcNow();
        var outcome = await store.WriteAsync<Outcome<KeyPackRecord>>(session =>
        {
            if (session.FindKeyPackByInstallKey(validation.InstallKey!) is { } installed)
            {
                return new Problem(ProblemKind.AlreadyExists,
                    $"This license code is already installed as key pack {installed}; a code can be installed once.");
            }

            var pack = new KeyPackRecord(Guid.CreateVersion7(now), validation.InstallKey!, request.Program,
                request.Program == KeyPackProgram.Agreement ? request.AgreementType : null, Mask(request),
                request.Version, request.CalType, request.Count, 0, now);
            session.InsertKeyPack(pack);
            session.Append(new AuditEntry(now, AuditEventType.KeyPackInstalled,
                $"Installed {pack.Installed} {VersionCompatibility.CalName(pack.Version)} {Describe(pack.CalType)} CALs ({pack.Program} {pack.Reference}).",
                KeyPackId: pack.Id, CalType: pack.CalType, Version: pack.Version));
            return pack;
        }, cancellationToken);
        if (outcome.Value is { } created)
        {
            PoolsChanged();
            LogKeyPackInstalled(created.Id, created.Installed, created.Version, created.CalType);
        }

        return outcome;
    }

    public async Task<IReadOnlyList<KeyPackRecord>> ListKeyPacksAsync(CancellationToken cancellationToken)
    {
        await identity.GetAsync(cancellationToken);
        return await store.ListKeyPacksAsync(time.GetUtcNow(), cancellationToken);
    }

    public async Task<Outcome<KeyPackRecord>> RemoveLicensesAsync(Guid keyPackId, int count, CancellationToken cancellationToken)
    {
        await identity.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        var outcome = await store.WriteAsync<Outcome<KeyPackRecord>>(session =>
        {
            Reclaim(session, now);
            if (session.FindKeyPack(keyPackId, now) is not { } pack)
            {
                return KeyPackNotFound(keyPackId);
            }

            var change = KeyPackRules.RemoveLicenses(pack.ToSnapshot(), count);
            if (!change.Allowed)
            {
                return change.Reason == ReasonCode.InvalidInput
                    ? Problem.Invalid("The licenses cannot be removed.", [new FieldViolation("count", change.Message)])
                    : new Problem(ProblemKind.FailedPrecondition, change.Message);
            }

            session.UpdateKeyPackInstalled(pack.Id, change.Installed);
            session.Append(new AuditEntry(now, AuditEventType.LicensesRemoved, change.Message,
                ReasonCode.LicensesRemoved, KeyPackId: pack.Id, CalType: pack.CalType, Version: pack.Version));
            return pack with { Installed = change.Installed };
        }, cancellationToken);
        if (outcome.Value is not null)
        {
            PoolsChanged();
        }

        return outcome;
    }

    public async Task<Outcome<KeyPackRecord>> UninstallKeyPackAsync(Guid keyPackId, CancellationToken cancellationToken)
    {
        await identity.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        var outcome = await store.WriteAsync<Outcome<KeyPackRecord>>(session =>
        {
            Reclaim(session, now);
            if (session.FindKeyPack(keyPackId, now) is not { } pack)
            {
                return KeyPackNotFound(keyPackId);
            }

            var change = KeyPackRules.Uninstall(pack.ToSnapshot());
            if (!change.Allowed)
            {
                return new Problem(ProblemKind.FailedPrecondition, change.Message);
            }

            session.DeleteKeyPack(pack.Id);
            session.Append(new AuditEntry(now, AuditEventType.KeyPackUninstalled,
                $"Uninstalled key pack {pack.Reference} ({pack.Installed} {VersionCompatibility.CalName(pack.Version)} {Describe(pack.CalType)} CALs).",
                ReasonCode.KeyPackUninstalled, KeyPackId: pack.Id, CalType: pack.CalType, Version: pack.Version));
            return pack;
        }, cancellationToken);
        if (outcome.Value is not null)
        {
            PoolsChanged();
        }

        return outcome;
    }

    public async Task<Outcome<LicenseAnswer>> RequestLicenseAsync(LicenseRequestInput input, CancellationToken cancellationToken)
    {
        var id = await identity.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        var subject = SubjectOf(input);
        var hostId = Blank(input.SessionHostId);
        if (await RefuseOutsideSecurityGroupAsync(hostId, now, input.Type, input.HostVersion, subject, cancellationToken) is { } refused)
        {
            return refused;
        }

        var answer = await store.WriteAsync(session =>
        {
            Reclaim(session, now);
            if (input.Type == CalType.PerUser && !IsTracked(input))
            {
                const string notTracked = "Per User licenses are not tracked for users outside a domain; the user is admitted but reports show Not Tracking.";
                session.Append(new AuditEntry(now, AuditEventType.IssuanceFailed, notTracked, ReasonCode.PerUserNotTracked,
                    CalType: CalType.PerUser, Version: input.HostVersion, Subject: subject, SessionHostId: hostId));
                return new LicenseAnswer(ReasonCode.PerUserNotTracked, notTracked, null, null);
            }

            var existing = session.LoadSubjectLicenses(input.Type, subject);
            var snapshot = new IssuanceSnapshot(session.Server.Activation.IsActivated, session.LoadPackSnapshots(input.Type, now),
                existing.Select(l => l.Cal).ToList());
            var decision = IssuancePolicy.Decide(snapshot, new LicenseRequest(input.Type, subject, input.HostVersion, input.PreventUpgrade), now, Random.Shared);
            return Persist(session, decision, existing, input, subject, hostId, now);
        }, cancellationToken);

        // Committed: a write rolled back with its savepoint never reaches this line, so it is never counted.
        if (answer is { Issued: true, License.Cal: var cal })
        {
            metrics.Issued(cal);
            PoolsChanged();
            LogIssued(cal.LicenseId, cal.Subject, cal.Status, cal.Version);
        }

        return Sign(answer, id);
    }

    public async Task<Outcome<LicenseRecord>> MarkValidatedAsync(Guid licenseId, string? sessionHostId, CancellationToken cancellationToken)
    {
        await identity.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (await RefuseOutsideSecurityGroupAsync(Blank(sessionHostId), now, null, null, null, cancellationToken) is { } refused)
        {
            return refused;
        }

        return await store.WriteAsync<Outcome<LicenseRecord>>(session =>
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

    public async Task<Outcome<LicenseAnswer>> RenewLicenseAsync(Guid licenseId, string? sessionHostId, CancellationToken cancellationToken)
    {
        var id = await identity.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (await RefuseOutsideSecurityGroupAsync(Blank(sessionHostId), now, null, null, null, cancellationToken) is { } refused)
        {
            return refused;
        }

        var outcome = await store.WriteAsync<Outcome<LicenseAnswer>>(session =>
        {
            Reclaim(session, now);
            if (session.FindLicense(licenseId) is not { } license)
            {
                return LicenseNotFound(licenseId);
            }

            // R9: a Per User CAL outside the pool tries it first, so the core needs the Per User packs (one indexed read; renewals are rare).
            var pool = license.Cal.Type == CalType.PerUser
                ? new IssuanceSnapshot(session.Server.Activation.IsActivated, session.LoadPackSnapshots(CalType.PerUser, now), [license.Cal])
                : null;
            var decision = IssuancePolicy.Renew(license.Cal, now, Random.Shared, pool);
            switch (decision.Kind)
            {
                case IssuanceKind.Refuse:
                    return new LicenseAnswer(decision.Reason, decision.Message, license, null);
                case IssuanceKind.Update:
                    var renewed = license with { Cal = decision.Cal!, SessionHostId = Blank(sessionHostId) ?? license.SessionHostId };
                    session.UpdateLicense(renewed);
                    GuardSeat(session, decision, now);
                    session.Append(Audit(now, decision.SeatTakenFrom is null ? AuditEventType.LicenseRenewed : AuditTypeOf(decision, renewed.Cal),
                        decision.Message, decision.Reason, renewed));
                    return new LicenseAnswer(decision.Reason, decision.Message, renewed, null) { Issued = decision.SeatTakenFrom is not null };
                default:
                    return new LicenseAnswer(decision.Reason, decision.Message, license, null);
            }
        }, cancellationToken);

        if (outcome.Value is { Issued: true, License.Cal: var moved })
        {
            metrics.Issued(moved);
            metrics.PoolsChanged();
            LogIssued(moved.LicenseId, moved.Subject, moved.Status, moved.Version);
        }

        return outcome.Value is { } answer ? Sign(answer, id) : outcome;
    }

    public async Task<Outcome<RevokeAnswer>> RevokeLicenseAsync(Guid licenseId, CancellationToken cancellationToken)
    {
        await identity.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        var outcome = await store.WriteAsync<Outcome<RevokeAnswer>>(session =>
        {
            Reclaim(session, now);
            if (session.FindLicense(licenseId) is not { } license)
            {
                return LicenseNotFound(licenseId);
            }

            var decision = RevocationPolicy.Revoke(license.Cal, session.LoadRevocationSnapshot(license.Cal.Version, now), now);
            if (!decision.Allowed)
            {
                return new Problem(ProblemKind.FailedPrecondition, decision.Message);
            }

            var revoked = license with { Cal = decision.Revoked! };
            session.UpdateLicense(revoked);
            session.Append(Audit(now, AuditEventType.LicenseRevoked, decision.Message, decision.Reason, revoked));
            return new RevokeAnswer(revoked, decision.Quota.Remaining, decision.Quota.NextRevokeAllowedAt);
        }, cancellationToken);
        if (outcome.Value is { } done)
        {
            metrics.Revoked(done.License.Cal);
            PoolsChanged();
            if (done.RevocableRemaining == 0)
            {
                alerts.RevokeCapReached(done.License.Cal.Version, done.NextRevokeAllowedAt);
            }

            LogRevoked(done.License.Cal.LicenseId, done.License.Cal.Subject, done.RevocableRemaining);
        }

        return outcome;
    }

    public async Task<IAsyncEnumerable<LicenseRecord>> ListIssuedLicensesAsync(LicenseQuery query, CancellationToken cancellationToken)
    {
        await identity.GetAsync(cancellationToken);
        return store.StreamLicensesAsync(query, cancellationToken);
    }

    public async Task<IAsyncEnumerable<AuditRecord>> GetAuditTrailAsync(long afterSequence, int limit, IReadOnlyCollection<AuditEventType> types,
        bool follow, CancellationToken cancellationToken)
    {
        await identity.GetAsync(cancellationToken);
        return follow
            ? FollowAuditTrailAsync(afterSequence, limit, types, cancellationToken)
            : store.StreamAuditAsync(afterSequence, limit, types, cancellationToken);
    }

    /// <summary>The stored events, then each new one once committed, until the limit or cancellation (the caller's deadline).</summary>
    private async IAsyncEnumerable<AuditRecord> FollowAuditTrailAsync(long afterSequence, int limit, IReadOnlyCollection<AuditEventType> types,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sent = 0;
        while (true)
        {
            var nextCommit = store.NextCommit;
            await foreach (var record in store.StreamAuditAsync(afterSequence, limit == 0 ? 0 : limit - sent, types, cancellationToken))
            {
                afterSequence = record.Sequence;
                sent++;
                yield return record;
            }

            if (limit > 0 && sent >= limit)
            {
                yield break;
            }

            // Another process writing the same database (a replica, the load tool's seeder) commits without this
            // process's signal, so look again now and then as well (wall-clock time: the simulated clock may stand still).
            await Task.WhenAny(nextCommit, Task.Delay(_options.AuditFollowPollInterval, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Reclaims and audits seats released by expiry; returns how many were reclaimed (the background sweep calls it until 0).</summary>
    public async Task<int> ReclaimExpiredSeatsAsync(CancellationToken cancellationToken)
    {
        await identity.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        return await store.WriteAsync(session => Reclaim(session, now, force: true), cancellationToken);
    }

    public DateTimeOffset Now => time.GetUtcNow();

    private async Task<Outcome<ServerInfo>> ChangeActivationAsync(LicenseServerIdentity.Loaded id, Func<ActivationState, ActivationOutcome> decide,
        AuditEventType auditType, string? reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await store.WriteAsync<Outcome<ServerInfo>>(session =>
        {
            var decision = decide(session.Server.Activation);
            if (!decision.Succeeded)
            {
                return decision.Reason == ReasonCode.InvalidInput
                    ? Problem.Invalid(decision.Message, decision.Violations)
                    : new Problem(ProblemKind.FailedPrecondition, decision.Message);
            }

            session.SaveActivation(decision.State);
            var detail = string.IsNullOrWhiteSpace(reason) ? decision.Message : $"{decision.Message} Reason: {reason.Trim()}";
            session.Append(new AuditEntry(now, auditType, detail, decision.Reason));
            return Info(decision.State, id);
        }, cancellationToken);
    }

    private LicenseAnswer Persist(ILicenseWriteSession session, IssuanceOutcome decision, IReadOnlyList<LicenseRecord> existing,
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

    private static void GuardSeat(ILicenseWriteSession session, IssuanceOutcome decision, DateTimeOffset now)
    {
        if (decision.SeatTakenFrom is { } packId && session.FindKeyPack(packId, now) is { } pack && pack.Issued > pack.Installed)
        {
            // R7 is the core's decision on a snapshot taken in this transaction; this guard only catches a store bug, and rolls back.
            throw new InvalidOperationException($"Key pack {packId} would hold {pack.Issued} issued CALs of {pack.Installed} installed.");
        }
    }

    /// <summary>Seats or packs changed: the pool gauges and the pool alerts look again (neither waits here).</summary>
    private void PoolsChanged()
    {
        metrics.PoolsChanged();
        alerts.PoolsChanged();
    }

    /// <summary>At most once per group commit unless <paramref name="force"/>d (the background sweep).</summary>
    private int Reclaim(ILicenseWriteSession session, DateTimeOffset now, bool force = false)
    {
        if (session.SeatsReclaimed && !force)
        {
            return 0;
        }

        session.SeatsReclaimed = true;
        var reclaimed = session.ReclaimExpiredSeats(now, ReclaimBatch);
        foreach (var license in reclaimed)
        {
            var cal = license.Cal;
            session.AfterCommit(() => metrics.Reclaimed(cal));
            session.Append(Audit(now, AuditEventType.LicenseReclaimed,
                $"The {VersionCompatibility.CalName(cal.Version)} {Describe(cal.Type)} license of {cal.Subject} expired unrenewed; its seat went back to key pack {cal.KeyPackId}.",
                ReasonCode.CalExpired, license));
        }

        if (reclaimed.Count > 0)
        {
            PoolsChanged();
            LogReclaimed(reclaimed.Count);
        }

        return reclaimed.Count;
    }

    private Outcome<LicenseAnswer> Sign(LicenseAnswer answer, LicenseServerIdentity.Loaded id) =>
        answer.License is { } license && answer.Reason is not (ReasonCode.CalRevoked or ReasonCode.CalExpired or ReasonCode.TemporaryCalExpired)
            ? answer with { Certificate = id.Signer.Sign(CalCertificate.For(license.Cal, id.ServerId)) }
            : answer;

    private ServerInfo Info(ActivationState activation, LicenseServerIdentity.Loaded id) =>
        new(id.ServerId, _options.ProductVersion, _options.Scope, _options.Domain, activation, id.Signer.PublicKey,
            _options.SecurityGroupEnabled, _options.AllowedSessionHosts, time.GetUtcNow());

    private bool IsTracked(LicenseRequestInput input) => _options.Scope == ServerScope.Domain && !string.IsNullOrWhiteSpace(input.UserDomain);

    /// <summary>Hardware id for Per Device; <c>DOMAIN\user</c> for Per User, case-folded because Windows accounts are case-insensitive.</summary>
    internal static string SubjectOf(LicenseRequestInput input) => input.Type == CalType.PerDevice
        ? input.HardwareId!.Trim()
        : $"{input.UserDomain?.Trim().ToUpperInvariant()}\\{input.UserName!.Trim().ToLowerInvariant()}";

    private static AuditEventType AuditTypeOf(IssuanceOutcome decision, IssuedCal cal) => decision.Reason switch
    {
        ReasonCode.CalUpgraded => AuditEventType.LicenseUpgraded,
        ReasonCode.CalRenewed => AuditEventType.LicenseRenewed,
        ReasonCode.TemporaryCalValidated => AuditEventType.LicenseValidated,
        _ when cal.Status == CalStatus.OverUsed => AuditEventType.LicenseOverUsed,
        _ => AuditEventType.LicenseIssued,
    };

    private static AuditEntry Audit(DateTimeOffset now, AuditEventType type, string detail, ReasonCode reason, LicenseRecord license) =>
        new(now, type, detail, reason, license.Cal.LicenseId, license.Cal.KeyPackId, license.Cal.Type, license.Cal.Version, license.Cal.Subject, license.SessionHostId);

    private static Problem KeyPackNotFound(Guid id) =>
        new(ProblemKind.NotFound, $"No key pack with id {id} is installed; list the installed key packs with ListKeyPacks.");

    private static Problem LicenseNotFound(Guid id) =>
        new(ProblemKind.NotFound, $"No license with id {id} was issued by this license server; request a new license instead.");

    private static string Describe(CalType type) => type == CalType.PerDevice ? "Per Device" : "Per User";

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>The code or number shown in listings: only its last characters, since a retail code is a secret that installs CALs.</summary>
    private static string Mask(KeyPackRequest request)
    {
        var code = request.Program switch
        {
            KeyPackProgram.Retail => KeyPackValidator.NormalizeRetailCode(request.RetailCode) ?? "",
            KeyPackProgram.OpenLicense => request.LicenseNumber?.Trim() ?? "",
            _ => request.AgreementNumber?.Trim() ?? "",
        };
        const int visible = 4;
        return code.Length <= visible
            ? code
            : string.Concat(code[..^visible].Select(c => c == '-' ? '-' : '*')) + code[^visible..];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Installed key pack {KeyPackId}: {Count} {Version} {CalType} CALs")]
    private partial void LogKeyPackInstalled(Guid keyPackId, int count, ProductVersion version, CalType calType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Issued {LicenseId} ({Status} {Version}) to {Subject}")]
    private partial void LogIssued(Guid licenseId, string subject, CalStatus status, ProductVersion version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revoked {LicenseId} of {Subject}; {Remaining} more may be revoked")]
    private partial void LogRevoked(Guid licenseId, string subject, int remaining);

    /// <summary>
    /// R18: with the security group on, a session host not on the list is refused (PermissionDenied) and the refusal is
    /// audited, so the session host asks its next license server.
    /// </summary>
    private async Task<Problem?> RefuseOutsideSecurityGroupAsync(string? hostId, DateTimeOffset now, CalType? type, ProductVersion? version,
        string? subject, CancellationToken cancellationToken)
    {
        if (!_options.SecurityGroupEnabled || _options.AllowedSessionHosts.Contains(hostId ?? "", StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        var refused = string.IsNullOrEmpty(hostId)
            ? "This license server serves only the session hosts of its security group, and the request names no session host; give session_host_id."
            : $"Session host '{hostId}' is not in this license server's security group; add it to LicenseServer:AllowedSessionHosts or disable the security group (LicenseServer:SecurityGroupEnabled=false).";
        await store.WriteAsync(session =>
        {
            session.Append(new AuditEntry(now, AuditEventType.IssuanceFailed, refused, ReasonCode.HostNotAllowed, CalType: type,
                Version: version, Subject: subject, SessionHostId: hostId));
            return 0;
        }, cancellationToken);
        LogHostNotAllowed(hostId);
        return new Problem(ProblemKind.PermissionDenied, refused);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused session host {SessionHostId}: not in the security group")]
    private partial void LogHostNotAllowed(string? sessionHostId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reclaimed {Count} expired seats")]
    private partial void LogReclaimed(int count);
}
