using System.IO.Hashing;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace RdsPlatform.ServiceDefaults.Storage;

/// <summary>A service's schema on PostgreSQL: its name in the migration history and its numbered steps.</summary>
public sealed record PostgresSchema(string Service, IReadOnlyList<SchemaMigration> Migrations);

/// <summary>
/// A service's PostgreSQL database: connections come from the pooled <see cref="NpgsqlDataSource"/>, and none is handed
/// out before the service's migrations are applied, whichever part of the service asks first (stores are built before
/// the start-up step runs).
/// </summary>
public sealed partial class PostgresDatabase(NpgsqlDataSource dataSource, PostgresSchema schema, ILogger<PostgresDatabase> logger)
{
    // One key for every RdsPlatform service: the history table is shared when services share a database, and two
    // services creating it at once would collide on the catalog.
    private static readonly long MigrationLockKey = (long)XxHash64.HashToUInt64(Encoding.UTF8.GetBytes("rdsplatform.schema-migrations"));

    private readonly Lock _gate = new();
    private Task? _migrated;

    public NpgsqlDataSource DataSource => dataSource;

    public PostgresSchema Schema => schema;

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        await MigrateAsync(cancellationToken);
        return await dataSource.OpenConnectionAsync(cancellationToken);
    }

    /// <summary>For the synchronous paths of a store (a start-up load); blocks only until the one-time migration is done.</summary>
    public NpgsqlConnection Open()
    {
        MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        return dataSource.OpenConnection();
    }

    /// <summary>Applies the missing migrations once per process; a failed attempt is tried again by the next caller.</summary>
    public Task MigrateAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_migrated is null || _migrated.IsFaulted || _migrated.IsCanceled)
            {
                _migrated = ApplyAsync(cancellationToken);
            }

            return _migrated;
        }
    }

    /// <summary>
    /// One transaction under a transaction-scoped advisory lock: instances starting together queue on the lock, and each
    /// then sees the versions the first one recorded. DDL is transactional in PostgreSQL, so a failed step leaves no trace.
    /// </summary>
    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", MigrationLockKey));
        await ExecuteAsync(connection, """
            CREATE TABLE IF NOT EXISTS rds_schema_migrations (
                service text NOT NULL,
                version integer NOT NULL,
                description text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (service, version))
            """, cancellationToken);

        var applied = new HashSet<int>();
        await using (var command = new NpgsqlCommand("SELECT version FROM rds_schema_migrations WHERE service = @service", connection))
        {
            command.Parameters.AddWithValue("service", schema.Service);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        foreach (var migration in schema.Migrations.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version))
        {
            await ExecuteAsync(connection, migration.Sql, cancellationToken);
            await ExecuteAsync(connection,
                "INSERT INTO rds_schema_migrations (service, version, description) VALUES (@service, @version, @description)",
                cancellationToken, ("service", schema.Service), ("version", migration.Version), ("description", migration.Description));
            LogApplied(schema.Service, migration.Version, migration.Description);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Service} schema migration {Version}: {Description}")]
    private partial void LogApplied(string service, int version, string description);
}
