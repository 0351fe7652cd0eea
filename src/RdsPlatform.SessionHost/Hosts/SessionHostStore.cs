using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using RdsPlatform.Licensing;

namespace RdsPlatform.SessionHost.Hosts;

/// <summary>
/// Session host settings: durable in SQLite, served from memory on the hot path. The grace-period start is written
/// at first registration only; reconfiguring never moves it.
/// </summary>
public sealed class SessionHostStore
{
    private const string Columns = "host_id, version, mode, license_servers, prevent_upgrade, grace_started_at, configured_at";

    private readonly GatewayDatabase _database;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, SessionHostSettings> _hosts = new(StringComparer.OrdinalIgnoreCase);

    public SessionHostStore(GatewayDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
        foreach (var host in LoadAll())
        {
            _hosts[host.HostId] = host;
        }
    }

    public IEnumerable<SessionHostSettings> All => _hosts.Values;

    public SessionHostSettings? Find(string hostId)
    {
        if (_hosts.TryGetValue(hostId, out var host))
        {
            return host;
        }

        // Another process sharing the file may have registered it.
        host = Load(hostId);
        if (host is not null)
        {
            _hosts[host.HostId] = host;
        }

        return host;
    }

    /// <summary>Drops the in-memory copy so the next read comes from the file (another replica changed it).</summary>
    public void Forget(string hostId) => _hosts.TryRemove(hostId, out _);

    public SessionHostSettings Save(SessionHostConfiguration configuration)
    {
        var now = _time.GetUtcNow();
        using (var connection = _database.Open())
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
            command.Parameters.AddWithValue("$servers", string.Join('\n', configuration.LicenseServers));
            command.Parameters.AddWithValue("$prevent", configuration.PreventUpgrade ? 1 : 0);
            command.Parameters.AddWithValue("$now", now.UtcTicks);
            command.ExecuteNonQuery();
        }

        var saved = Load(configuration.HostId) ?? throw new InvalidOperationException("A session host just written could not be read back.");
        _hosts[saved.HostId] = saved;
        return saved;
    }

    /// <summary>
    /// Up to <paramref name="take"/> hosts after <paramref name="afterHostId"/> in host id order, and how many are registered.
    /// Read from the file, not memory, so hosts another replica registered are listed too.
    /// </summary>
    public (IReadOnlyList<SessionHostSettings> Hosts, int Total) Page(string? afterHostId, int take)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM session_hosts WHERE host_id > $after ORDER BY host_id LIMIT $take;
            SELECT COUNT(*) FROM session_hosts;
            """;
        command.Parameters.AddWithValue("$after", afterHostId ?? "");
        command.Parameters.AddWithValue("$take", take);
        using var reader = command.ExecuteReader();
        var hosts = new List<SessionHostSettings>();
        while (reader.Read())
        {
            hosts.Add(Read(reader));
        }

        reader.NextResult();
        reader.Read();
        return (hosts, reader.GetInt32(0));
    }

    private SessionHostSettings? Load(string hostId)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM session_hosts WHERE host_id = $id";
        command.Parameters.AddWithValue("$id", hostId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    private List<SessionHostSettings> LoadAll()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM session_hosts";
        using var reader = command.ExecuteReader();
        var hosts = new List<SessionHostSettings>();
        while (reader.Read())
        {
            hosts.Add(Read(reader));
        }

        return hosts;
    }

    private static SessionHostSettings Read(SqliteDataReader reader)
    {
        var servers = reader.GetString(3);
        return new SessionHostSettings(
            reader.GetString(0),
            (ProductVersion)reader.GetInt32(1),
            (LicensingMode)reader.GetInt32(2),
            servers.Length == 0 ? [] : servers.Split('\n'),
            reader.GetInt32(4) != 0,
            new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero),
            new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero));
    }
}
