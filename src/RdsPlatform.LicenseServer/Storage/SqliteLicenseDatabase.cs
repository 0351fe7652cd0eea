using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// The SQLite file of the license database and its connections: WAL so readers never block the writer, synchronous=FULL on
/// the writer so an acknowledged change survives a power cut or kill -9.
/// </summary>
internal sealed class SqliteLicenseDatabase : IWriteEngine
{
    private readonly string _connectionString;

    public SqliteLicenseDatabase(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    /// <summary>A connection for reads: WAL readers never wait for the writer, and Microsoft.Data.Sqlite retries a busy file up to DefaultTimeout.</summary>
    public SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// The reads' side of the engine: WAL readers, and SQLite's NOCASE for user domains.
    /// The bulk listing is walked by its key (<see cref="Listing.ReadByKeyAsync"/>): the table is stored in license id order,
    /// so each batch reads consecutive pages, and no reader holds the WAL back while a slow client reads.
    /// </summary>
    public ReadEngine Reads => new(OpenReaderAsync, "user_domain = @domain COLLATE NOCASE", "instr", "+",
        (listing, rows, cancellationToken) => Listing.ReadByKeyAsync(OpenReaderAsync, SqliteListingRows.ReadAsync, listing, rows, cancellationToken));

    private Task<DbConnection> OpenReaderAsync(CancellationToken cancellationToken) => Task.FromResult<DbConnection>(OpenReader());

    PreparedStatements IWriteEngine.OpenWriter() => new(OpenWriter());

    /// <summary>BEGIN IMMEDIATE: the file's write lock is taken before the first read, so no other process writes in between.</summary>
    DbTransaction IWriteEngine.Begin(PreparedStatements statements) => ((SqliteConnection)statements.Connection).BeginTransaction(deferred: false);

    /// <summary>The writer's own connection, kept open by the writer loop.</summary>
    public SqliteConnection OpenWriter()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // FULL makes every commit durable in WAL mode (an acknowledged CAL survives kill -9); busy_timeout covers other
        // processes writing the file (the load tool's seeder).
        connection.Execute("PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;");
        return connection;
    }

    /// <summary>Switches the file to WAL, runs the migrations it lacks and stores the identity on first start.</summary>
    public void Migrate(Func<ServerRecord> createIdentity, DateTimeOffset now)
    {
        using var connection = MigrateSchema(now);
        using var transaction = connection.BeginTransaction(deferred: false);
        if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM server", transaction: transaction) == 0)
        {
            var identity = createIdentity();
            connection.Execute(
                "INSERT INTO server (id, server_id, signing_key, created_at, activation_status) VALUES (1, @id, @key, @created, @status)",
                new { id = identity.ServerId.ToString(), key = identity.SigningKey, created = identity.CreatedAt.UtcTicks, status = (int)identity.Activation.Status },
                transaction);
        }

        transaction.Commit();
    }

    /// <summary>Switches the file to WAL and runs the migrations it lacks; returns the writer connection it used.</summary>
    public SqliteConnection MigrateSchema(DateTimeOffset now)
    {
        var connection = OpenWriter();
        connection.Execute("PRAGMA journal_mode=WAL");
        SqliteSchema.Migrate(connection, now);
        return connection;
    }

    /// <summary>Closes the pooled connections, which would keep the file open after the host stopped.</summary>
    public void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
