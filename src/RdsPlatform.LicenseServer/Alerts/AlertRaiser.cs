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
/// The alert state key that makes an alert raised at most once, whichever replica is handed it and however often: the key
/// moves from <paramref name="Expected"/> (null: not stored yet) to <paramref name="State"/>, or nothing is raised.
/// </summary>
public sealed record AlertClaim(string Key, string State, DateTimeOffset At, string? Expected = null);

/// <summary>
/// Turns an alert into its three records: an ALERT_RAISED audit event and one pending delivery per webhook subscription to
/// its type, committed together in one transaction of the license writer (so a crash keeps all or none, and pending
/// deliveries are sent by the next start or any replica's sweep), then a structured log record and the deliveries handed
/// to the dispatcher (sent without anyone waiting).
/// </summary>
public sealed partial class AlertRaiser(
    ILicenseStore store,
    LicenseServerIdentity identity,
    WebhookStore webhooks,
    WebhookDispatcher dispatcher,
    ILogger<AlertRaiser> logger)
{
    public Task RaiseAsync(RaisedAlert alert, CancellationToken cancellationToken) => RaiseAsync([alert], claim: null, cancellationToken);

    public Task<bool> RaiseAsync(RaisedAlert alert, AlertClaim? claim, CancellationToken cancellationToken) => RaiseAsync([alert], claim, cancellationToken);

    /// <summary>
    /// Raises the alerts (one condition's, e.g. a pool that ran out and went OverUsed at once) unless <paramref name="claim"/>
    /// fails: its key was claimed before, or moved by another replica since it was read; true when they were raised now.
    /// The claim commits in the same transaction as the audit events and the deliveries, and writes of every replica are
    /// serialized under the write lock, so replicas handed the same alert at once raise it once; a replica that dies before
    /// the commit leaves the key as it was for the sender's retry (or the next judgment), never a claim without its alerts.
    /// </summary>
    public async Task<bool> RaiseAsync(IReadOnlyList<RaisedAlert> alerts, AlertClaim? claim, CancellationToken cancellationToken)
    {
        var id = await identity.GetAsync(cancellationToken);
        var subscriptions = webhooks.Subscriptions();
        var deliveries = alerts.SelectMany(alert =>
            {
                var body = JsonFormatter.Default.Format(ToContract(alert, id.ServerId));
                return subscriptions.Where(s => s.EventTypes.Contains(alert.Kind))
                    .Select(s => new WebhookDeliveryRecord(Guid.CreateVersion7(), s.SubscriptionId, alert.Kind, body,
                        DeliveryState.Pending, 0, 0, "", TimeProvider.System.GetUtcNow(), null));
            })
            .ToList();
        var raised = await store.WriteAsync(session => session.InTransaction((connection, transaction) =>
        {
            if (claim is not null && !AlertStateStore.Claim(connection, transaction, claim))
            {
                return false;
            }

            foreach (var alert in alerts)
            {
                session.Append(new AuditEntry(alert.OccurredAt, AuditEventType.AlertRaised, alert.Detail, CalType: alert.Type, Version: alert.Version,
                    SessionHostId: alert.SessionHostId));
            }

            deliveries.ForEach(delivery => WebhookStore.AddDelivery(connection, transaction, delivery));
            return true;
        }), cancellationToken);
        if (!raised)
        {
            return false;
        }

        foreach (var alert in alerts)
        {
            LogAlert(AlertNames.EventName(alert.Kind), alert.Detail);
        }

        deliveries.ForEach(dispatcher.Enqueue);
        return true;
    }

    private static Contract.Alert ToContract(RaisedAlert alert, Guid serverId) => new()
    {
        AlertId = (alert.AlertId ?? Guid.CreateVersion7()).ToString(),
        Type = ContractMapping.ToContract(alert.Kind),
        OccurredAt = Timestamp.FromDateTimeOffset(alert.OccurredAt),
        ServerId = serverId.ToString(),
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
