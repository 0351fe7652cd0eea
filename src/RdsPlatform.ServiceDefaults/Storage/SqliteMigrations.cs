using Microsoft.Data.Sqlite;

namespace RdsPlatform.ServiceDefaults.Storage;

/// <summary>Applies a service's SQLite migrations once each, recording the version in <c>PRAGMA user_version</c>.</summary>
public static class SqliteMigrations
{
    /// <summary>
    /// Brings the file to the last version. <c>BEGIN IMMEDIATE</c> takes the write lock before the version is read, so
    /// processes sharing the file (replicas on one machine) apply each step once; the others wait on busy_timeout.
    /// </summary>
    public static void Apply(SqliteConnection connection, IReadOnlyList<SchemaMigration> migrations)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var current = UserVersion(connection, transaction);
        foreach (var migration in migrations.Where(m => m.Version > current).OrderBy(m => m.Version))
        {
            Execute(connection, transaction, migration.Sql);
            // PRAGMA takes no parameters; the version is an int from our own list.
            Execute(connection, transaction, $"PRAGMA user_version = {migration.Version};");
        }

        transaction.Commit();
    }

    /// <summary>The file's schema version (0 for a new file).</summary>
    public static long UserVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version;";
        return (long)command.ExecuteScalar()!;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
