using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RdsPlatform.LicenseServer.Alerts;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.LicenseServer.Tests.Stores;

/// <summary>Separate opens of one migrated SQLite license file, each as a restarted license server opens it.</summary>
public sealed class SqliteAlertDatabases
{
    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("rds-alerts-").FullName, SqliteLicenseStore.FileName);

    public SqliteAlertDatabases()
    {
        using var connection = new SqliteConnection($"Data Source={_path};Pooling=false");
        connection.Open();
        SqliteSchema.Migrate(connection, DateTimeOffset.UtcNow);
    }

    public AlertDatabase New() => new SqliteAlertDatabase(_path);
}

/// <summary>Separate connections (each its own pool) to one fresh license database on the test run's PostgreSQL server.</summary>
public sealed class PostgresAlertDatabases(PostgresDatabaseFixture fixture, string prefix) : IDisposable
{
    private readonly string _connectionString = fixture.CreateDatabaseAsync(prefix).GetAwaiter().GetResult();
    private readonly List<NpgsqlDataSource> _sources = [];

    public AlertDatabase New()
    {
        var source = NpgsqlDataSource.Create(_connectionString);
        _sources.Add(source);
        return new PostgresAlertDatabase(new PostgresDatabase(source, PostgresLicenseSchema.Schema, NullLogger<PostgresDatabase>.Instance));
    }

    public void Dispose() => _sources.ForEach(source => source.Dispose());
}
