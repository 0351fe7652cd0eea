using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.LicenseServer.Tests.Stores;

/// <summary>The license store contract on SQLite: both replicas on one file in one folder.</summary>
public sealed class SqliteLicenseStoreContractTests : LicenseStoreContractTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rds-ls-store-").FullName;

    protected override void UseDatabase(ServiceSetup setup) => setup.DataDirectory = _directory;

    protected override ILicenseStore NewStore() => new SqliteLicenseStore(Options.Create(new StorageOptions { DataDirectory = _directory }),
        new HostingEnvironment { ContentRootPath = _directory }, TimeProvider.System);
}

/// <summary>The license store contract on PostgreSQL: both replicas on one database of the run's server.</summary>
public sealed class PostgresLicenseStoreContractTests(PostgresDatabaseFixture database)
    : LicenseStoreContractTests, IClassFixture<PostgresDatabaseFixture>
{
    private readonly string _connectionString = database.CreateDatabaseAsync("licensing").GetAwaiter().GetResult();

    protected override void UseDatabase(ServiceSetup setup)
    {
        setup.Settings["Storage:Provider"] = "Postgres";
        setup.Settings["ConnectionStrings:licensing"] = _connectionString;
    }

    protected override ILicenseStore NewStore() => new PostgresLicenseStore(new PostgresDatabase(
        NpgsqlDataSource.Create(_connectionString), PostgresLicenseSchema.Schema, NullLogger<PostgresDatabase>.Instance));
}
