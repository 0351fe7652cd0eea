using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.LoadTest.Seeding;

/// <summary>
/// The license database the seeder writes, chosen by the license server's own settings: <c>Storage:Provider</c> Sqlite
/// (the file in <c>Storage:DataDirectory</c>) or Postgres (<c>ConnectionStrings:licensing</c>).
/// </summary>
public sealed record LicenseSeedTarget(StorageProvider Provider, string Location)
{
    /// <summary>The target from the settings; a combination that cannot work is refused with a sentence naming the setting.</summary>
    public static LicenseSeedTarget From(string? provider, string? dataDirectory, string? connectionString)
    {
        var options = new StorageOptions { Provider = string.IsNullOrWhiteSpace(provider) ? nameof(StorageProvider.Sqlite) : provider };
        switch (options.ParsedProvider)
        {
            case StorageProvider.Sqlite when !string.IsNullOrWhiteSpace(dataDirectory):
                return new(StorageProvider.Sqlite, Path.GetFullPath(dataDirectory));
            case StorageProvider.Sqlite:
                throw new Cli.UsageException("--data-dir is required on SQLite: the license server's Storage:DataDirectory.");
            case StorageProvider.Postgres when !string.IsNullOrWhiteSpace(connectionString):
                return new(StorageProvider.Postgres, connectionString);
            case StorageProvider.Postgres:
                throw new Cli.UsageException("--connection-string (or ConnectionStrings__licensing) is required with Storage:Provider=Postgres: the license server's ConnectionStrings:licensing.");
            default:
                throw new Cli.UsageException($"--storage-provider '{provider}' is unknown; use Sqlite or Postgres, as the license server's Storage:Provider.");
        }
    }

    /// <summary>The license server's store over the target (with what it holds open), refused with a sentence when no license server has created it yet.</summary>
    internal async Task<OpenedStore> OpenAsync(CancellationToken cancellationToken)
    {
        var source = Provider == StorageProvider.Postgres ? NpgsqlDataSource.Create(Location) : null;
        var opened = new OpenedStore(source is null
            ? OpenSqlite()
            : new PostgresLicenseStore(new PostgresDatabase(source, PostgresLicenseSchema.Schema, NullLogger<PostgresDatabase>.Instance)), source);
        try
        {
            await opened.Store.GetServerAsync(cancellationToken);
            return opened;
        }
        catch (InvalidOperationException)
        {
            opened.Dispose();
            throw new Cli.UsageException(
                $"The license database at {(Provider == StorageProvider.Postgres ? "ConnectionStrings:licensing" : Location)} has no server identity; start the license server once on it so it creates its schema and identity, then seed.");
        }
    }

    /// <summary>A store and the PostgreSQL data source it uses (the store does not own it), closed together.</summary>
    internal sealed class OpenedStore(LicenseStore store, IDisposable? source) : IDisposable
    {
        public LicenseStore Store => store;

        public void Dispose()
        {
            store.Dispose();
            source?.Dispose();
        }
    }

    private SqliteLicenseStore OpenSqlite()
    {
        var path = Path.Combine(Location, SqliteLicenseStore.FileName);
        if (!File.Exists(path))
        {
            throw new Cli.UsageException($"No license database at {path}; start the license server once with Storage:DataDirectory={Location} so it creates its schema and identity, then seed.");
        }

        return new SqliteLicenseStore(Options.Create(new StorageOptions { DataDirectory = Location }), new SeedEnvironment(), TimeProvider.System);
    }

    private sealed class SeedEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;

        public string ApplicationName { get; set; } = "RdsPlatform.LoadTest";

        public string ContentRootPath { get; set; } = Directory.GetCurrentDirectory();

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
