using System.Data;
using System.Data.Common;
using Npgsql;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// The license database on PostgreSQL (<see cref="PostgresDatabase"/>: pooled connections, the numbered history applied
/// under its advisory lock): the writer's connections and transactions, and the identity stored once.
/// </summary>
internal sealed class PostgresLicenseDatabase(PostgresDatabase database) : IGroupWriteEngine
{
    /// <summary>
    /// The advisory lock every write transaction of the license database takes first, in every process: writes are
    /// serialized across replicas, so a decision reads every earlier commit (R7, the revoke cap) and audit sequence
    /// numbers are handed out in commit order (a follower never skips an event committed later with a smaller number).
    /// </summary>
    internal const long WriteLockKey = 0x5244_534C_6963_5772; // "RDSLicWr"

    /// <summary>Statements Npgsql prepares on each connection once used <see cref="AutoPrepareMinUsages"/> times, unless the connection string says otherwise.</summary>
    internal const int MaxAutoPrepare = 64;

    internal const int AutoPrepareMinUsages = 2;

    public PostgresDatabase Database => database;

    /// <summary>The plan cache setting every connection starts with, unless the connection string's Options set one.</summary>
    internal const string CustomPlans = "-c plan_cache_mode=force_custom_plan";

    /// <summary>
    /// Turns on Npgsql's automatic preparation (kept unless the connection string sets <c>Max Auto Prepare</c>): the
    /// writer and the reads repeat a few dozen statements, and unprepared each is parsed again by the server for every
    /// call, CPU the server shares with the service. Prepared statements are still planned for each call's values
    /// (<c>plan_cache_mode=force_custom_plan</c>): a generic plan is made once per connection, and one made while the
    /// licenses table was small scanned it whole for a subject's CALs (0.3 ms per write and growing, measured with
    /// pg_stat_statements under loadtest/engines.sh) where the subject index takes a few microseconds.
    /// </summary>
    public static void ConfigureDataSource(NpgsqlDataSourceBuilder builder)
    {
        var settings = builder.ConnectionStringBuilder;
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = MaxAutoPrepare;
            settings.AutoPrepareMinUsages = AutoPrepareMinUsages;
        }

        if (settings.Options?.Contains("plan_cache_mode", StringComparison.Ordinal) != true)
        {
            settings.Options = string.IsNullOrWhiteSpace(settings.Options) ? CustomPlans : $"{settings.Options} {CustomPlans}";
        }
    }

    /// <summary>
    /// The reads' side: pooled connections, user domains folded with lower() as SQLite's NOCASE folds them (ASCII by the
    /// input rules), and the bulk listing as one statement (<see cref="PostgresListing"/>).
    /// </summary>
    public ReadEngine Reads => new(async cancellationToken => await database.OpenAsync(cancellationToken), "lower(user_domain) = lower(@domain)", "strpos", "",
        (listing, rows, cancellationToken) => PostgresListing.ReadAsync(database, listing, rows, cancellationToken));

    public PreparedStatements OpenWriter()
    {
        var connection = database.Open();
        // On whatever the server's default: an acknowledged change must have reached the WAL on disk before the answer.
        using var command = new NpgsqlCommand("SET synchronous_commit TO on", connection);
        command.ExecuteNonQuery();
        return new PreparedStatements(connection);
    }

    public DbTransaction Begin(PreparedStatements statements)
    {
        var transaction = ((NpgsqlConnection)statements.Connection).BeginTransaction();
        var command = statements.Get("SELECT pg_advisory_xact_lock(@key)", transaction);
        if (command.Parameters.Count == 0)
        {
            command.Parameters.Add(LicenseRows.Parameter(command, "key", WriteLockKey));
        }

        command.ExecuteNonQuery();
        return transaction;
    }

    /// <summary>
    /// The grouped path for writes that declared their scope (<see cref="PostgresGroupSession"/>). A statement the server
    /// refuses there, on a connection that survived it, sends the group to the one-write-at-a-time path, which reports it per write.
    /// </summary>
    public IGroupWriteSession? BeginGroup(PreparedStatements statements, IReadOnlyList<WriteScope> scopes)
    {
        try
        {
            return PostgresGroupSession.Begin(statements, scopes, WriteLockKey);
        }
        catch (PostgresException) when (statements.Connection.State == ConnectionState.Open)
        {
            // A lost connection (the server stopping) is not refused SQL: it is thrown, as on the other path.
            return null;
        }
    }

    /// <summary>
    /// Applies the history, refuses a database newer than this build, and stores the identity from
    /// <paramref name="createIdentity"/> when none is stored: under the write lock, so replicas starting together get one
    /// identity and one signing key (the first one's), and the others read it.
    /// </summary>
    public async Task MigrateAsync(Func<ServerRecord> createIdentity, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", WriteLockKey));
        if (await ExecuteAsync(connection, "SELECT COALESCE(MAX(version), 0)::bigint FROM rds_schema_migrations WHERE service = @service",
                cancellationToken, ("service", database.Schema.Service)) is long newest && newest > PostgresLicenseSchema.Migrations.Count)
        {
            throw new InvalidOperationException(LicenseSchemaSteps.TooNew(newest, PostgresLicenseSchema.Migrations.Count));
        }

        if (await ExecuteAsync(connection, "SELECT COUNT(*) FROM server", cancellationToken) is 0L)
        {
            var identity = createIdentity();
            await ExecuteAsync(connection,
                "INSERT INTO server (id, server_id, signing_key, created_at, activation_status) VALUES (1, @id, @key, @created, @status)",
                cancellationToken, ("id", identity.ServerId.ToString()), ("key", identity.SigningKey), ("created", identity.CreatedAt.UtcTicks),
                ("status", (int)identity.Activation.Status));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<object?> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
