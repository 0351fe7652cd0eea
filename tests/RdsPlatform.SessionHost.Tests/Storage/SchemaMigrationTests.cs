using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RdsPlatform.Reporting.Storage;
using RdsPlatform.ServiceDefaults.Storage;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.Storage;

/// <summary>Versioned schemas: one history on both engines, each step applied once even when instances start together.</summary>
public sealed class SchemaMigrationTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public void BothEnginesShareOneMigrationHistoryPerService()
    {
        Assert.Equal(GatewaySchema.Sqlite.Select(m => (m.Version, m.Description)), GatewaySchema.Postgres.Select(m => (m.Version, m.Description)));
        Assert.Equal(ReportingSchema.Sqlite.Select(m => (m.Version, m.Description)), ReportingSchema.Postgres.Select(m => (m.Version, m.Description)));
    }

    [Fact]
    public async Task InstancesStartingTogetherApplyEachPostgresMigrationOnce()
    {
        var connectionString = await database.CreateDatabaseAsync("migrate");
        var sources = Enumerable.Range(0, 6).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();
        try
        {
            await Task.WhenAll(sources.Select(source => Task.Run(() => new PostgresDatabase(source, GatewaySchema.PostgresSchema,
                NullLogger<PostgresDatabase>.Instance).MigrateAsync(CancellationToken.None))));

            await using var command = sources[0].CreateCommand("SELECT service, version FROM rds_schema_migrations ORDER BY version");
            await using var reader = await command.ExecuteReaderAsync();
            var history = new List<(string, int)>();
            while (await reader.ReadAsync())
            {
                history.Add((reader.GetString(0), reader.GetInt32(1)));
            }

            Assert.Equal(GatewaySchema.Postgres.Select(m => (GatewaySchema.ConnectionName, m.Version)), history);
        }
        finally
        {
            sources.ForEach(source => source.Dispose());
        }
    }

    [Fact]
    public void ASqliteFileFromBeforeVersionsStepsToTheLastVersionKeepingItsRows()
    {
        var directory = Directory.CreateTempSubdirectory("rds-migrate-").FullName;
        var path = Path.Combine(directory, GatewayDatabase.FileName);
        using (var old = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            old.Open();
            using var command = old.CreateCommand();
            // The unversioned schema the gateway created before migrations were numbered, with one host in it.
            command.CommandText = GatewaySchema.Sqlite[0].Sql + """
                INSERT INTO session_hosts VALUES ('rdsh-old', 2022, 1, '', 0, 638000000000000000, 638000000000000000);
                """;
            command.ExecuteNonQuery();
        }

        var gateway = new GatewayDatabase(directory);

        using var connection = gateway.Open();
        Assert.Equal(GatewaySchema.Sqlite[^1].Version, SqliteMigrations.UserVersion(connection));
        Assert.Equal("rdsh-old", new SqliteSessionHostRepository(gateway).Load("RDSH-OLD")?.HostId);
    }
}
