using Microsoft.Extensions.Options;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Outcomes;
using static RdsPlatform.LicenseServer.Application.ApplicationText;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>Key pack use cases (R14, R16): install, list, remove unissued licenses, uninstall; the core validates and decides.</summary>
public sealed partial class KeyPackService(
    ILicenseReader reader,
    ILicenseWriter writer,
    SeatReclaimer reclaimer,
    PoolChangeSignal pools,
    IOptions<LicenseServerOptions> options,
    TimeProvider time,
    ILogger<KeyPackService> logger)
{
    public async Task<Outcome<KeyPackRecord>> InstallAsync(KeyPackRequest request, CancellationToken cancellationToken)
    {
        var validation = KeyPackValidator.Validate(request, options.Value.ProductVersion);
        if (!validation.IsValid)
        {
            return validation.Reason == ReasonCode.VersionNotHosted
                ? Problem.FailedPrecondition(validation.Violations[0].Description)
                : Problem.Invalid("The key pack cannot be installed.", validation.Violations);
        }

        var now = time.GetUtcNow();
        var outcome = await writer.WriteAsync<Outcome<KeyPackRecord>>(session =>
        {
            if (session.FindKeyPackByInstallKey(validation.InstallKey!) is { } installed)
            {
                return Problem.AlreadyExists(
                    $"This license code is already installed as key pack {installed}; a code can be installed once.");
            }

            var pack = new KeyPackRecord(Guid.CreateVersion7(now), validation.InstallKey!, request.Program,
                request.Program == KeyPackProgram.Agreement ? request.AgreementType : null, KeyPackReference.Masked(request),
                request.Version, request.CalType, request.Count, 0, now);
            session.InsertKeyPack(pack);
            session.Append(new AuditEntry(now, AuditEventType.KeyPackInstalled,
                $"Installed {pack.Installed} {VersionCompatibility.CalName(pack.Version)} {Describe(pack.CalType)} CALs ({pack.Program} {pack.Reference}).",
                KeyPackId: pack.Id, CalType: pack.CalType, Version: pack.Version));
            return pack;
        }, cancellationToken);
        if (outcome.Value is { } created)
        {
            pools.PoolsChanged();
            LogKeyPackInstalled(created.Id, created.Installed, created.Version, created.CalType);
        }

        return outcome;
    }

    public Task<IReadOnlyList<KeyPackRecord>> ListAsync(CancellationToken cancellationToken) =>
        reader.ListKeyPacksAsync(time.GetUtcNow(), cancellationToken);

    public Task<Outcome<KeyPackRecord>> RemoveLicensesAsync(Guid keyPackId, int count, CancellationToken cancellationToken) =>
        ChangeAsync(keyPackId, (session, pack, now) =>
        {
            var change = KeyPackRules.RemoveLicenses(pack.ToSnapshot(), count);
            if (!change.Allowed)
            {
                return change.Reason == ReasonCode.InvalidInput
                    ? Problem.Invalid("The licenses cannot be removed.", [new FieldViolation("count", change.Message)])
                    : Problem.FailedPrecondition(change.Message);
            }

            session.UpdateKeyPackInstalled(pack.Id, change.Installed);
            session.Append(new AuditEntry(now, AuditEventType.LicensesRemoved, change.Message,
                ReasonCode.LicensesRemoved, KeyPackId: pack.Id, CalType: pack.CalType, Version: pack.Version));
            return pack with { Installed = change.Installed };
        }, cancellationToken);

    public Task<Outcome<KeyPackRecord>> UninstallAsync(Guid keyPackId, CancellationToken cancellationToken) =>
        ChangeAsync(keyPackId, (session, pack, now) =>
        {
            var change = KeyPackRules.Uninstall(pack.ToSnapshot());
            if (!change.Allowed)
            {
                return Problem.FailedPrecondition(change.Message);
            }

            session.DeleteKeyPack(pack.Id);
            session.Append(new AuditEntry(now, AuditEventType.KeyPackUninstalled,
                $"Uninstalled key pack {pack.Reference} ({pack.Installed} {VersionCompatibility.CalName(pack.Version)} {Describe(pack.CalType)} CALs).",
                ReasonCode.KeyPackUninstalled, KeyPackId: pack.Id, CalType: pack.CalType, Version: pack.Version));
            return pack;
        }, cancellationToken);

    /// <summary>Runs <paramref name="change"/> on the installed pack with its seats counted after reclaiming expired ones.</summary>
    private async Task<Outcome<KeyPackRecord>> ChangeAsync(Guid keyPackId, Func<ILicenseWriteSession, KeyPackRecord, DateTimeOffset, Outcome<KeyPackRecord>> change,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var outcome = await writer.WriteAsync(session =>
        {
            reclaimer.ReclaimIfDue(session, now);
            return session.FindKeyPack(keyPackId, now) is { } pack ? change(session, pack, now) : KeyPackNotFound(keyPackId);
        }, cancellationToken);
        if (outcome.Value is not null)
        {
            pools.PoolsChanged();
        }

        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Installed key pack {KeyPackId}: {Count} {Version} {CalType} CALs")]
    private partial void LogKeyPackInstalled(Guid keyPackId, int count, ProductVersion version, CalType calType);
}
