using Npgsql;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.SessionHost.Hosts;

/// <summary>
/// Session host settings in the gateway's PostgreSQL database, shared by every gateway replica. A save is one
/// statement (upsert returning the stored row), so replicas registering the same host at once agree on one grace start.
/// </summary>
public sealed class PostgresSessionHostRepository(PostgresDatabase database) : ISessionHostRepository
{
    private const string Columns = SessionHostColumns.Select;

    public SessionHostSettings Save(SessionHostConfiguration configuration, DateTimeOffset now)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand($"""
            INSERT INTO session_hosts (host_key, host_id, version, mode, license_servers, prevent_upgrade, grace_started_at, configured_at)
            VALUES (@key, @id, @version, @mode, @servers, @prevent, @now, @now)
            ON CONFLICT (host_key) DO UPDATE SET
                version = excluded.version,
                mode = excluded.mode,
                license_servers = excluded.license_servers,
                prevent_upgrade = excluded.prevent_upgrade,
                configured_at = excluded.configured_at
            RETURNING {Columns}
            """, connection);
        command.Parameters.AddWithValue("key", Key(configuration.HostId));
        command.Parameters.AddWithValue("id", configuration.HostId);
        command.Parameters.AddWithValue("version", (int)configuration.Version);
        command.Parameters.AddWithValue("mode", (int)configuration.Mode);
        command.Parameters.AddWithValue("servers", SessionHostColumns.JoinServers(configuration.LicenseServers));
        command.Parameters.AddWithValue("prevent", configuration.PreventUpgrade);
        command.Parameters.AddWithValue("now", now.UtcTicks);
        using var reader = command.ExecuteReader();
        return reader.Read() ? SessionHostColumns.Read(reader) : throw new InvalidOperationException("A session host just written was not returned.");
    }

    public (IReadOnlyList<SessionHostSettings> Hosts, int Total) Page(string? afterHostId, int take)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand($"""
            SELECT {Columns} FROM session_hosts WHERE host_key > @after ORDER BY host_key LIMIT @take;
            SELECT COUNT(*)::integer FROM session_hosts;
            """, connection);
        command.Parameters.AddWithValue("after", Key(afterHostId ?? ""));
        command.Parameters.AddWithValue("take", take);
        using var reader = command.ExecuteReader();
        var hosts = SessionHostColumns.ReadAll(reader);
        reader.NextResult();
        reader.Read();
        return (hosts, reader.GetInt32(0));
    }

    public SessionHostSettings? Load(string hostId)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand($"SELECT {Columns} FROM session_hosts WHERE host_key = @key", connection);
        command.Parameters.AddWithValue("key", Key(hostId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? SessionHostColumns.Read(reader) : null;
    }

    public IReadOnlyList<SessionHostSettings> LoadAll()
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand($"SELECT {Columns} FROM session_hosts", connection);
        using var reader = command.ExecuteReader();
        return SessionHostColumns.ReadAll(reader);
    }

    /// <summary>SQLite's NOCASE folds ASCII letters only; host ids are ASCII, so invariant lower case matches it.</summary>
    private static string Key(string hostId) => hostId.ToLowerInvariant();
}
