using Npgsql;
using RdsPlatform.ServiceDefaults.Storage;
using static RdsPlatform.SessionHost.Alerts.GatewayAlertColumns;

namespace RdsPlatform.SessionHost.Alerts;

/// <summary>
/// The gateway's raised alerts in its PostgreSQL database, shared by every replica: the unique (host, grace start) key
/// lets exactly one replica raise a given alert. Host ids match without regard to case through <c>host_key</c>, the
/// lower-cased id, as on the session hosts table.
/// </summary>
public sealed class PostgresGatewayAlertOutbox(PostgresDatabase database) : IGatewayAlertOutbox
{
    private const string Columns = "alert_id, host_id, grace_started_at, days_left, grace_ends_at, raised_at, delivered_at";

    public bool WasRaised(string hostId, DateTimeOffset graceStartedAt)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM gateway_alerts WHERE host_key = @key AND grace_started_at = @start)", connection);
        command.Parameters.AddWithValue("key", Key(hostId));
        command.Parameters.AddWithValue("start", graceStartedAt.UtcTicks);
        return (bool)command.ExecuteScalar()!;
    }

    public bool TryAdd(GatewayAlertRow alert)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand("""
            INSERT INTO gateway_alerts (alert_id, host_key, host_id, grace_started_at, days_left, grace_ends_at, raised_at)
            VALUES (@id, @key, @host, @start, @days, @ends, @raised) ON CONFLICT DO NOTHING
            """, connection);
        command.Parameters.AddWithValue("id", alert.AlertId);
        command.Parameters.AddWithValue("key", Key(alert.HostId));
        command.Parameters.AddWithValue("host", alert.HostId);
        command.Parameters.AddWithValue("start", alert.GraceStartedAt.UtcTicks);
        command.Parameters.AddWithValue("days", alert.DaysLeft);
        command.Parameters.AddWithValue("ends", alert.GraceEndsAt.UtcTicks);
        command.Parameters.AddWithValue("raised", alert.RaisedAt.UtcTicks);
        return command.ExecuteNonQuery() == 1;
    }

    public IReadOnlyList<GatewayAlertRow> Undelivered() => Read("WHERE delivered_at IS NULL ORDER BY raised_at, alert_id");

    public IReadOnlyList<GatewayAlertRow> ForHost(string hostId) => Read("WHERE host_key = @key ORDER BY raised_at", ("key", Key(hostId)));

    public void MarkDelivered(Guid alertId, DateTimeOffset at)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand("UPDATE gateway_alerts SET delivered_at = @at WHERE alert_id = @id", connection);
        command.Parameters.AddWithValue("id", alertId);
        command.Parameters.AddWithValue("at", at.UtcTicks);
        command.ExecuteNonQuery();
    }

    private List<GatewayAlertRow> Read(string where, params (string Name, object Value)[] parameters)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand($"SELECT {Columns} FROM gateway_alerts {where}", connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        using var reader = command.ExecuteReader();
        var rows = new List<GatewayAlertRow>();
        while (reader.Read())
        {
            rows.Add(new GatewayAlertRow(reader.GetGuid(0), reader.GetString(1), Time(reader.GetInt64(2)), reader.GetInt32(3),
                Time(reader.GetInt64(4)), Time(reader.GetInt64(5)), Time(reader.GetValue(6))));
        }

        return rows;
    }

    /// <summary>Host ids are ASCII by the input rules, so invariant lower case is SQLite's NOCASE.</summary>
    private static string Key(string hostId) => hostId.ToLowerInvariant();
}
