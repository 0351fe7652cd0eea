using Microsoft.Data.Sqlite;
using RdsPlatform.Licensing;

namespace RdsPlatform.SessionHost.Hosts;

/// <summary>Session host settings in the gateway's SQLite file (<see cref="GatewayDatabase"/>).</summary>
public sealed class SqliteSessionHostRepository(GatewayDatabase database) : ISessionHostRepository
{
    private const string Columns = SessionHostColumns.Select;

    public SessionHostSettings Save(SessionHostConfiguration configuration, DateTimeOffset now)
    {
        using (var connection = database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                INSERT INTO session_hosts (host_id, version, mode, license_servers, prevent_upgrade, grace_started_at, configured_at)
                VALUES ($id, $version, $mode, $servers, $prevent, $now, $now)
                ON CONFLICT(host_id) DO UPDATE SET
                    version = excluded.version,
                    mode = excluded.mode,
                    license_servers = excluded.license_servers,
                    prevent_upgrade = excluded.prevent_upgrade,
                    configured_at = excluded.configured_at;
                """;
            command.Parameters.AddWithValue("$id", configuration.HostId);
            command.Parameters.AddWithValue("$version", (int)configuration.Version);
            command.Parameters.AddWithValue("$mode", (int)configuration.Mode);
            command.Parameters.AddWithValue("$servers", SessionHostColumns.JoinServers(configuration.LicenseServers));
            command.Parameters.AddWithValue("$prevent", configuration.PreventUpgrade ? 1 : 0);
            command.Parameters.AddWithValue("$now", now.UtcTicks);
            command.ExecuteNonQuery();
        }

        return Load(configuration.HostId) ?? throw new InvalidOperationException("A session host just written could not be read back.");
    }

    public (IReadOnlyList<SessionHostSettings> Hosts, int Total) Page(string? afterHostId, int take)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM session_hosts WHERE host_id > $after ORDER BY host_id LIMIT $take;
            SELECT COUNT(*) FROM session_hosts;
            """;
        command.Parameters.AddWithValue("$after", afterHostId ?? "");
        command.Parameters.AddWithValue("$take", take);
        using var reader = command.ExecuteReader();
        var hosts = SessionHostColumns.ReadAll(reader);
        reader.NextResult();
        reader.Read();
        return (hosts, reader.GetInt32(0));
    }

    public SessionHostSettings? Load(string hostId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM session_hosts WHERE host_id = $id";
        command.Parameters.AddWithValue("$id", hostId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? SessionHostColumns.Read(reader) : null;
    }

    public IReadOnlyList<SessionHostSettings> LoadAll()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM session_hosts";
        using var reader = command.ExecuteReader();
        return SessionHostColumns.ReadAll(reader);
    }
}
