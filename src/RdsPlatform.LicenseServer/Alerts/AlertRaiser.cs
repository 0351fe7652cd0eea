using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Mapping;
using Contract = RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>One alert to raise, whoever noticed it (this server's pools and revokes, or a gateway).</summary>
/// <param name="OccurredAt">When the condition was noticed (licensing clock); the audit event carries this time.</param>
public sealed record RaisedAlert(
    AlertKind Kind,
    DateTimeOffset OccurredAt,
    string Detail,
    ProductVersion? Version = null,
    CalType? Type = null,
    long Installed = 0,
    long Issued = 0,
    long Available = 0,
    long OverUsed = 0,
    string? SessionHostId = null,
    int GraceDaysLeft = 0,
    DateTimeOffset? GraceEndsAt = null,
    Guid? AlertId = null);

/// <summary>
/// Turns an alert into its three records: an ALERT_RAISED audit event (durable first), a structured log record, and one
/// queued delivery per webhook subscription to its type (the dispatcher sends them without anyone waiting).
/// </summary>
public sealed partial class AlertRaiser(
    ILicenseStore store,
    LicenseServerIdentity identity,
    WebhookStore webhooks,
    WebhookDispatcher dispatcher,
    ILogger<AlertRaiser> logger)
{
    public async Task RaiseAsync(RaisedAlert alert, CancellationToken cancellationToken)
    {
        var id = await identity.GetAsync(cancellationToken);
        var message = new Contract.Alert
        {
            AlertId = (alert.AlertId ?? Guid.CreateVersion7()).ToString(),
            Type = ContractMapping.ToContract(alert.Kind),
            OccurredAt = Timestamp.FromDateTimeOffset(alert.OccurredAt),
            ServerId = id.ServerId.ToString(),
            ProductVersion = alert.Version is { } version ? ContractMapping.ToContract(version) : default,
            CalType = alert.Type is { } type ? ContractMapping.ToContract(type) : default,
            Installed = alert.Installed,
            Issued = alert.Issued,
            Available = alert.Available,
            Overused = alert.OverUsed,
            Detail = alert.Detail,
            SessionHostId = alert.SessionHostId ?? "",
            GraceDaysLeft = alert.GraceDaysLeft,
            GraceEndsAt = alert.GraceEndsAt is { } ends ? Timestamp.FromDateTimeOffset(ends) : null,
        };
        await store.WriteAsync(session =>
        {
            session.Append(new AuditEntry(alert.OccurredAt, AuditEventType.AlertRaised, alert.Detail, CalType: alert.Type, Version: alert.Version,
                SessionHostId: alert.SessionHostId));
            return 0;
        }, cancellationToken);
        LogAlert(AlertNames.EventName(alert.Kind), alert.Detail);

        var body = JsonFormatter.Default.Format(message);
        foreach (var subscription in webhooks.Subscriptions().Where(s => s.EventTypes.Contains(alert.Kind)))
        {
            var delivery = new WebhookDeliveryRecord(Guid.CreateVersion7(), subscription.SubscriptionId, alert.Kind, body,
                DeliveryState.Pending, 0, 0, "", TimeProvider.System.GetUtcNow(), null);
            webhooks.AddDelivery(delivery);
            dispatcher.Enqueue(delivery);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {AlertType}: {Detail}")]
    private partial void LogAlert(string alertType, string detail);
}

/// <summary>The event names webhook receivers see in <c>Rds-Event-Type</c>.</summary>
public static class AlertNames
{
    public static string EventName(AlertKind kind) => kind switch
    {
        AlertKind.PoolLimited => "pool.limited",
        AlertKind.PoolNone => "pool.none",
        AlertKind.PoolOverUsed => "pool.overused",
        AlertKind.RevokeCapReached => "revoke_cap.reached",
        AlertKind.GracePeriodLow => "grace_period.low",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an alert kind."),
    };
}
