using Microsoft.Data.Sqlite;
using RdsPlatform.SessionHost.Hosts;
using static RdsPlatform.SessionHost.Alerts.GatewayAlertColumns;

namespace RdsPlatform.SessionHost.Alerts;

/// <summary>The gateway's raised alerts in its SQLite file (<see cref="GatewayDatabase"/>, table from schema version 2).</summary>
public sealed class SqliteGatewayAlertOutbox(GatewayDatabase database) : IGatewayAlertOutbox
{
    private const string Columns = "alert_id, host_id, grace_started_at, days_left, grace_ends_at, raised_at, delivered_at";

    public bool WasRaised(string hostId, DateTimeOffset graceStartedAt)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM gateway_alerts WHERE host_id = $host AND grace_started_at = $start";
        command.Parameters.AddWithValue("$host", hostId);
        command.Parameters.AddWithValue("$start", graceStartedAt.UtcTicks);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    public bool TryAdd(GatewayAlertRow alert)
    {
        using var connection = database.Open();
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

    public IReadOnlyList<GatewayAlertRow> Undelivered() => Read("WHERE delivered_at IS NULL ORDER BY raised_at, alert_id");

    public IReadOnlyList<GatewayAlertRow> ForHost(string hostId) => Read("WHERE host_id = $host ORDER BY raised_at", ("$host", hostId));

    public void MarkDelivered(Guid alertId, DateTimeOffset at)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE gateway_alerts SET delivered_at = $at WHERE alert_id = $id";
        command.Parameters.AddWithValue("$id", alertId.ToString());
        command.Parameters.AddWithValue("$at", at.UtcTicks);
        command.ExecuteNonQuery();
    }

    private List<GatewayAlertRow> Read(string where, params (string Name, object Value)[] parameters)
    {
        using var connection = database.Open();
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
            rows.Add(Row(reader));
        }

        return rows;
    }

    private static GatewayAlertRow Row(SqliteDataReader reader) => new(Guid.Parse(reader.GetString(0)), reader.GetString(1), Time(reader.GetInt64(2)),
        reader.GetInt32(3), Time(reader.GetInt64(4)), Time(reader.GetInt64(5)), Time(reader.GetValue(6)));
}
