using Microsoft.Data.Sqlite;

namespace RdsPlatform.SessionHost.Hosts;

/// <summary>
/// The gateway's own SQLite file (<c>session-host.db</c> in <c>Storage:DataDirectory</c>): host settings, grace-period starts,
/// the license servers' public keys and not-tracked sign-ins owed to a license server's audit trail, so that all of them survive restarts and cache flushes.
/// </summary>
public sealed class GatewayDatabase
{
    public const string FileName = "session-host.db";

    private readonly string _connectionString;

    public GatewayDatabase(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        Path = System.IO.Path.Combine(dataDirectory, FileName);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS session_hosts (
                host_id TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
                version INTEGER NOT NULL,
                mode INTEGER NOT NULL,
                license_servers TEXT NOT NULL,
                prevent_upgrade INTEGER NOT NULL,
                grace_started_at INTEGER NOT NULL,
                configured_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS license_server_keys (
                address TEXT NOT NULL PRIMARY KEY,
                server_id TEXT NOT NULL,
                public_key BLOB NOT NULL,
                version INTEGER NOT NULL,
                scope INTEGER NOT NULL,
                seen_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS not_tracked_sign_ins (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                host_id TEXT NOT NULL,
                user_domain TEXT NOT NULL,
                user_name TEXT NOT NULL,
                hardware_id TEXT NOT NULL,
                computer_name TEXT NOT NULL,
                queued_at INTEGER NOT NULL);
            """;
        command.ExecuteNonQuery();
    }

    public string Path { get; }

    /// <summary>A connection that commits durably (synchronous is a per-connection setting in SQLite).</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;";
        command.ExecuteNonQuery();
        return connection;
    }
}
