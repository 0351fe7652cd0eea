using Npgsql;
using NpgsqlTypes;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// The PostgreSQL engine of <see cref="ILicenseStore"/>, shared by every replica of the license server: the license
/// database behind <see cref="PostgresLicenseDatabase"/> (each write transaction under its advisory write lock), the
/// writes and reads of <see cref="LicenseStore"/>, and a binary COPY for bulk seeding.
/// </summary>
public sealed class PostgresLicenseStore : LicenseStore
{
    private readonly PostgresLicenseDatabase _database;

    public PostgresLicenseStore(PostgresDatabase database)
        : this(new PostgresLicenseDatabase(database))
    {
    }

    private PostgresLicenseStore(PostgresLicenseDatabase database)
        : base(database, database.Reads)
    {
        _database = database;
    }

    public override Task MigrateAsync(Func<ServerRecord> createIdentity, CancellationToken cancellationToken) =>
        _database.MigrateAsync(createIdentity, cancellationToken);

    /// <summary>
    /// Bulk load for seeding: the CALs go in with one binary <c>COPY</c> in one transaction under the write lock (so no
    /// running server's decision interleaves with it), encoded as every other insert (<see cref="LicenseRows.LicenseValues"/>).
    /// Nothing is visible until the whole batch commits.
    /// </summary>
    public async Task<int> CopyLicensesAsync(IEnumerable<LicenseRecord> licenses, CancellationToken cancellationToken)
    {
        await using var connection = await _database.Database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection))
        {
            command.Parameters.AddWithValue("key", PostgresLicenseDatabase.WriteLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var count = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"COPY licenses ({string.Join(", ", LicenseRows.LicenseParameterNames)}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var license in licenses)
            {
                await copy.StartRowAsync(cancellationToken);
                foreach (var value in LicenseRows.LicenseValues(license))
                {
                    await WriteAsync(copy, value, cancellationToken);
                }

                count++;
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);

        // Statistics for the planner at once: until autovacuum gets to the table (a minute or more), a listing over the
        // copied rows is planned without them, takes ix_licenses_version_status and sorts every matching row for each
        // batch of 1,000, and a prepared statement can keep that plan. A million-CAL report right after seeding took 82 s
        // (the database server busy 80 CPU-s) against 14 s once the table was analysed. ANALYZE samples 30,000 rows.
        await using (var analyse = new NpgsqlCommand("ANALYZE licenses", connection))
        {
            await analyse.ExecuteNonQueryAsync(cancellationToken);
        }

        return count;
    }

    private static Task WriteAsync(NpgsqlBinaryImporter copy, object? value, CancellationToken cancellationToken) => value switch
    {
        null => copy.WriteNullAsync(cancellationToken),
        string text => copy.WriteAsync(text, NpgsqlDbType.Text, cancellationToken),
        int number => copy.WriteAsync(number, NpgsqlDbType.Integer, cancellationToken),
        long number => copy.WriteAsync(number, NpgsqlDbType.Bigint, cancellationToken),
        _ => throw new InvalidOperationException($"No COPY encoding for a {value.GetType().Name} license value."),
    };
}
