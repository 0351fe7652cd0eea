using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RdsPlatform.ServiceDefaults.Storage;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.Storage;

/// <summary>Separate views of one gateway SQLite file, each as a restarted gateway or another replica on the machine opens it.</summary>
public sealed class SqliteGatewayReplicas
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rds-gateway-").FullName;

    public GatewayDatabase New() => new(_directory);
}

/// <summary>Separate connections (each its own pool) to one fresh gateway database on the test run's PostgreSQL server.</summary>
public sealed class PostgresGatewayReplicas(PostgresDatabaseFixture fixture, string prefix) : IDisposable
{
    private readonly string _connectionString = fixture.CreateDatabaseAsync(prefix).GetAwaiter().GetResult();
    private readonly List<NpgsqlDataSource> _sources = [];

    public PostgresDatabase New()
    {
        var source = NpgsqlDataSource.Create(_connectionString);
        lock (_sources)
        {
            _sources.Add(source);
        }

        return new PostgresDatabase(source, GatewaySchema.PostgresSchema, NullLogger<PostgresDatabase>.Instance);
    }

    public void Dispose() => _sources.ForEach(source => source.Dispose());
}
