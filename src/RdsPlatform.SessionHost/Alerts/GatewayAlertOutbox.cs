namespace RdsPlatform.SessionHost.Alerts;

/// <summary>One alert the gateway raised, as kept until a license server records it.</summary>
public sealed record GatewayAlertRow(
    Guid AlertId, string HostId, DateTimeOffset GraceStartedAt, int DaysLeft, DateTimeOffset GraceEndsAt, DateTimeOffset RaisedAt, DateTimeOffset? DeliveredAt);

/// <summary>
/// The gateway's durable record of the alerts it raised (table <c>gateway_alerts</c>): one row per host and grace period,
/// so an alert is raised once however often the gateway restarts and however many replicas check, and kept as
/// undelivered until a license server recorded it. A sibling of the not-tracked outbox rather than part of it: those rows
/// are written on the Connect hot path in group commits and deleted once delivered; these are rare, and stay as the
/// "already raised" mark. Two replicas may both offer an undelivered alert: its id is fixed by host and grace start, and
/// the license server records an id once.
/// </summary>
public interface IGatewayAlertOutbox
{
    /// <summary>Whether this host's grace period that started at <paramref name="graceStartedAt"/> was alerted already.</summary>
    bool WasRaised(string hostId, DateTimeOffset graceStartedAt);

    /// <summary>Keeps the alert durably; false when this host and grace period had one already (nothing changes).</summary>
    bool TryAdd(GatewayAlertRow alert);

    /// <summary>Alerts no license server has recorded yet, oldest first.</summary>
    IReadOnlyList<GatewayAlertRow> Undelivered();

    /// <summary>Every alert raised for a host (any case of its id), oldest first.</summary>
    IReadOnlyList<GatewayAlertRow> ForHost(string hostId);

    void MarkDelivered(Guid alertId, DateTimeOffset at);
}

/// <summary>Maps stored ticks (UTC) back to times, for both engines.</summary>
internal static class GatewayAlertColumns
{
    public static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    public static DateTimeOffset? Time(object value) => value is DBNull ? null : Time(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
}
