using Microsoft.Data.Sqlite;
using RdsPlatform.ServiceDefaults.Storage;

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
        using (var command = connection.CreateCommand())
        {
            // Outside the migration's transaction: SQLite cannot change the journal mode inside one.
            command.CommandText = "PRAGMA journal_mode=WAL;";
            command.ExecuteNonQuery();
        }

        SqliteMigrations.Apply(connection, GatewaySchema.Sqlite);
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
