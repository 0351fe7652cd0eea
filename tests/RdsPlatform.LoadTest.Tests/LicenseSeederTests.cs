using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.LoadTest.Cli;
using RdsPlatform.LoadTest.Seeding;
using RdsPlatform.ServiceDefaults.Storage;
using RdsPlatform.Testing;
using Core = RdsPlatform.Licensing;

namespace RdsPlatform.LoadTest.Tests;

/// <summary>
/// seed-licenses on either engine, chosen by the license server's Storage settings: CALs go in (binary COPY on PostgreSQL),
/// readable by the license server's store, their seats counted.
/// </summary>
public sealed class LicenseSeederTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task SeededCalsAreWrittenIntoTheServersDatabaseAndTakeTheirPacksSeats(string provider)
    {
        var (store, target) = await CreateAsync(provider);
        using var disposing = store;
        await store.MigrateAsync(() => new ServerRecord(Guid.NewGuid(), [1, 2, 3], Now, Core.ActivationState.Initial), CancellationToken.None);
        var pack = Guid.NewGuid();
        await store.WriteAsync(session =>
        {
            session.InsertKeyPack(new KeyPackRecord(pack, "seed-pack", Core.KeyPackProgram.Retail, null, "*0001", Core.ProductVersion.WindowsServer2022,
                Core.CalType.PerDevice, 3000, 0, Now));
            return 0;
        }, CancellationToken.None);
        var progress = new List<int>();

        var written = await LicenseSeeder.SeedAsync(target, 2500, pack, Now, "seed", Core.CalType.PerDevice, progress.Add, CancellationToken.None);

        Assert.Equal(2500, written);
        Assert.Equal([2500], progress);
        var stored = await store.StreamLicensesAsync(new LicenseQuery(Now, KeyPackId: pack), CancellationToken.None).ToListAsync();
        Assert.Equal(2500, stored.Count);
        Assert.Contains(stored, l => l.Cal.Subject == "seed-2499" && l.Cal.Status == Core.CalStatus.Permanent && l.ComputerName == "PC-seed-2499");
        Assert.Equal(2500, Assert.Single(await store.ListKeyPacksAsync(Now, CancellationToken.None)).Issued);
    }

    [Fact]
    public async Task SeedingADatabaseNoLicenseServerCreatedIsRefusedWithASentence()
    {
        var target = LicenseSeedTarget.From("Postgres", null, await database.CreateDatabaseAsync("seedempty"));

        var error = await Assert.ThrowsAsync<UsageException>(() => LicenseSeeder.SeedAsync(target, 10, null, Now, "seed", Core.CalType.PerDevice, null, CancellationToken.None));

        Assert.Contains("start the license server once on it", error.Message);
        Assert.DoesNotContain("Host=", error.Message);
    }

    [Theory]
    [InlineData("Postgres", null, null, "--connection-string (or ConnectionStrings__licensing) is required")]
    [InlineData(null, null, "Host=x", "--data-dir is required on SQLite")]
    [InlineData("Oracle", "dir", null, "--storage-provider 'Oracle' is unknown")]
    public void SettingsThatCannotWorkAreRefusedNamingTheSetting(string? provider, string? dataDirectory, string? connectionString, string sentence)
    {
        var error = Assert.Throws<UsageException>(() => LicenseSeedTarget.From(provider, dataDirectory, connectionString));

        Assert.Contains(sentence, error.Message);
    }

    private async Task<(LicenseStore Store, LicenseSeedTarget Target)> CreateAsync(string provider)
    {
        if (provider == "Sqlite")
        {
            var directory = Directory.CreateTempSubdirectory("rds-seed-").FullName;
            return (new SqliteLicenseStore(Microsoft.Extensions.Options.Options.Create(new StorageOptions { DataDirectory = directory }),
                new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = directory }, TimeProvider.System),
                LicenseSeedTarget.From(provider, directory, null));
        }

        var connectionString = await database.CreateDatabaseAsync("seed");
        return (new PostgresLicenseStore(new PostgresDatabase(NpgsqlDataSource.Create(connectionString), PostgresLicenseSchema.Schema,
            NullLogger<PostgresDatabase>.Instance)), LicenseSeedTarget.From(provider, null, connectionString));
    }
}
