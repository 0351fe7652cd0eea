using Microsoft.Extensions.Options;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>Identity and activation use cases: what GetServerInfo shows, and activating, deactivating and reactivating (the core decides).</summary>
public sealed class ActivationService(
    ILicenseReader reader,
    ILicenseWriter writer,
    LicenseServerIdentity identity,
    IOptions<LicenseServerOptions> options,
    TimeProvider time)
{
    private readonly LicenseServerOptions _options = options.Value;

    public async Task<ServerInfo> GetServerInfoAsync(CancellationToken cancellationToken)
    {
        var server = await reader.GetServerAsync(cancellationToken);
        return Info(server.Activation);
    }

    public Task<Outcome<ServerInfo>> ActivateAsync(ActivationContact? contact, CancellationToken cancellationToken) =>
        ChangeAsync(state => ActivationPolicy.Activate(state, contact, time.GetUtcNow()), AuditEventType.ServerActivated, null, cancellationToken);

    public Task<Outcome<ServerInfo>> DeactivateAsync(string? reason, CancellationToken cancellationToken) =>
        ChangeAsync(state => ActivationPolicy.Deactivate(state, time.GetUtcNow()), AuditEventType.ServerDeactivated, reason, cancellationToken);

    public Task<Outcome<ServerInfo>> ReactivateAsync(string? reason, ActivationContact? contact, CancellationToken cancellationToken) =>
        ChangeAsync(state => ActivationPolicy.Reactivate(state, reason, time.GetUtcNow(), contact), AuditEventType.ServerReactivated, reason, cancellationToken);

    private Task<Outcome<ServerInfo>> ChangeAsync(Func<ActivationState, ActivationOutcome> decide, AuditEventType auditType, string? reason,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return writer.WriteAsync<Outcome<ServerInfo>>(session =>
        {
            var decision = decide(session.Server.Activation);
            if (!decision.Succeeded)
            {
                return decision.Reason == ReasonCode.InvalidInput
                    ? Problem.Invalid(decision.Message, decision.Violations)
                    : Problem.FailedPrecondition(decision.Message);
            }

            session.SaveActivation(decision.State);
            var detail = string.IsNullOrWhiteSpace(reason) ? decision.Message : $"{decision.Message} Reason: {reason.Trim()}";
            session.Append(new AuditEntry(now, auditType, detail, decision.Reason));
            return Info(decision.State);
        }, cancellationToken);
    }

    private ServerInfo Info(ActivationState activation)
    {
        var id = identity.Current;
        return new(id.ServerId, _options.ProductVersion, _options.Scope, _options.Domain, activation, id.Signer.PublicKey,
            _options.SecurityGroupEnabled, _options.AllowedSessionHosts, time.GetUtcNow());
    }
}
