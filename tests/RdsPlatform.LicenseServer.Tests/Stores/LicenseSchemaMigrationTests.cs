using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.LicenseServer.Tests.Stores;

/// <summary>The license database's history: one on both engines, the same tables and columns, each step applied once.</summary>
public sealed class LicenseSchemaMigrationTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public void BothEnginesShareOneNumberedHistory()
    {
        var sqlite = SqliteSchema.Migrations.Select(m => (m.Version, m.Description)).ToList();

        Assert.Equal(sqlite, PostgresLicenseSchema.Migrations.Select(m => (m.Version, m.Description)));
        Assert.Equal(Enumerable.Range(1, sqlite.Count), sqlite.Select(m => m.Version));
        Assert.Contains(PostgresLicenseSchema.Migrations, m => m.Sql.Contains("CREATE TABLE alert_state", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InstancesStartingTogetherApplyEachStepOnceAndGetSQLitesTablesAndColumns()
    {
        var connectionString = await database.CreateDatabaseAsync("lsmigrate");
        var sources = Enumerable.Range(0, 6).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();
        try
        {
            await Task.WhenAll(sources.Select(source => Task.Run(() => new PostgresDatabase(source, PostgresLicenseSchema.Schema,
                NullLogger<PostgresDatabase>.Instance).MigrateAsync(CancellationToken.None))));

            var history = await ReadAsync(sources[0], "SELECT version, description FROM rds_schema_migrations WHERE service = 'licensing' ORDER BY version",
                r => (r.GetInt32(0), r.GetString(1)));
            Assert.Equal(PostgresLicenseSchema.Migrations.Select(m => (m.Version, m.Description)), history);
            var columns = await ReadAsync(sources[0], """
                SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name <> 'rds_schema_migrations' ORDER BY table_name COLLATE "C", ordinal_position
                """, r => (r.GetString(0), r.GetString(1)));
            Assert.Equal(SqliteColumns(), columns);
        }
        finally
        {
            sources.ForEach(source => source.Dispose());
        }
    }

    /// <summary>The tables and columns the SQLite history creates, in the order SQLite lists them.</summary>
    private static List<(string Table, string Column)> SqliteColumns()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        SqliteSchema.Migrate(connection, DateTimeOffset.UnixEpoch);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c
            WHERE m.type = 'table' AND m.name NOT IN ('schema_version', 'sqlite_sequence') ORDER BY m.name, c.cid
            """;
        using var reader = command.ExecuteReader();
        var columns = new List<(string, string)>();
        while (reader.Read())
        {
            columns.Add((reader.GetString(0), reader.GetString(1)));
        }

        return columns;
    }

    private static async Task<List<T>> ReadAsync<T>(NpgsqlDataSource source, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var command = source.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
