using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using RdsPlatform.SessionHost.Hosts;

namespace RdsPlatform.SessionHost.Alerts;

/// <summary>One alert the gateway raised, as kept until a license server records it.</summary>
public sealed record GatewayAlertRow(
    Guid AlertId, string HostId, DateTimeOffset GraceStartedAt, int DaysLeft, DateTimeOffset GraceEndsAt, DateTimeOffset RaisedAt, DateTimeOffset? DeliveredAt);

/// <summary>
/// The gateway's durable record of the alerts it raised (table <c>gateway_alerts</c> in <c>session-host.db</c>): one row per
/// host and grace period, so an alert is raised once however often the gateway restarts, and kept as undelivered until a
/// license server recorded it. A sibling of the not-tracked outbox rather than part of it: those rows are written on the
/// Connect hot path in group commits and deleted once delivered; these are rare, and stay as the "already raised" mark.
/// </summary>
public sealed class GatewayAlertOutbox
{
    private const string Columns = "alert_id, host_id, grace_started_at, days_left, grace_ends_at, raised_at, delivered_at";

    private readonly GatewayDatabase _database;

    public GatewayAlertOutbox(GatewayDatabase database, IMeterFactory meters)
    {
        _database = database;
        using (var connection = database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                CREATE TABLE IF NOT EXISTS gateway_alerts (
                    alert_id TEXT NOT NULL PRIMARY KEY,
                    host_id TEXT NOT NULL COLLATE NOCASE,
                    grace_started_at INTEGER NOT NULL,
                    days_left INTEGER NOT NULL,
                    grace_ends_at INTEGER NOT NULL,
                    raised_at INTEGER NOT NULL,
                    delivered_at INTEGER,
                    UNIQUE (host_id, grace_started_at));
                """;
            command.ExecuteNonQuery();
        }

        meters.Create(GatewayMetrics.MeterName).CreateObservableGauge("rds.alerts.undelivered", () => Undelivered().Count, "{alert}",
            "Alerts this gateway raised (GRACE_PERIOD_LOW) that no license server has recorded yet.");
    }

    /// <summary>Whether this host's grace period that started at <paramref name="graceStartedAt"/> was alerted already.</summary>
    public bool WasRaised(string hostId, DateTimeOffset graceStartedAt)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM gateway_alerts WHERE host_id = $host AND grace_started_at = $start";
        command.Parameters.AddWithValue("$host", hostId);
        command.Parameters.AddWithValue("$start", graceStartedAt.UtcTicks);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Keeps the alert durably; false when this host and grace period had one already (nothing changes).</summary>
    public bool TryAdd(GatewayAlertRow alert)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO gateway_alerts (alert_id, host_id, grace_started_at, days_left, grace_ends_at, raised_at)
            VALUES ($id, $host, $start, $days, $ends, $raised) ON CONFLICT DO NOTHING
            """;
        command.Parameters.AddWithValue("$id", alert.AlertId.ToString());
        command.Parameters.AddWithValue("$host", alert.HostId);
        command.Parameters.AddWithValue("$start", alert.GraceStartedAt.UtcTicks);
        command.Parameters.AddWithValue("$days", alert.DaysLeft);
        command.Parameters.AddWithValue("$ends", alert.GraceEndsAt.UtcTicks);
        command.Parameters.AddWithValue("$raised", alert.RaisedAt.UtcTicks);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Alerts no license server has recorded yet, oldest first.</summary>
    public IReadOnlyList<GatewayAlertRow> Undelivered() => Read("WHERE delivered_at IS NULL ORDER BY raised_at, alert_id");

    /// <summary>Every alert raised for a host, oldest first.</summary>
    public IReadOnlyList<GatewayAlertRow> ForHost(string hostId) => Read("WHERE host_id = $host ORDER BY raised_at", ("$host", hostId));

    public void MarkDelivered(Guid alertId, DateTimeOffset at)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE gateway_alerts SET delivered_at = $at WHERE alert_id = $id";
        command.Parameters.AddWithValue("$id", alertId.ToString());
        command.Parameters.AddWithValue("$at", at.UtcTicks);
        command.ExecuteNonQuery();
    }

    private List<GatewayAlertRow> Read(string where, params (string Name, object Value)[] parameters)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM gateway_alerts {where}";
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        using var reader = command.ExecuteReader();
        var rows = new List<GatewayAlertRow>();
        while (reader.Read())
        {
            rows.Add(new GatewayAlertRow(Guid.Parse(reader.GetString(0)), reader.GetString(1), Time(reader, 2), reader.GetInt32(3), Time(reader, 4),
                Time(reader, 5), reader.IsDBNull(6) ? null : Time(reader, 6)));
        }

        return rows;
    }

    private static DateTimeOffset Time(SqliteDataReader reader, int column) => new(reader.GetInt64(column), TimeSpan.Zero);
}
