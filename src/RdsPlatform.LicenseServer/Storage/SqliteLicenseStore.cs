using Microsoft.Extensions.Options;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// The SQLite engine of <see cref="ILicenseStore"/>: the license database in one file (<see cref="SqliteLicenseDatabase"/>),
/// its write lock BEGIN IMMEDIATE, the writes and reads of <see cref="LicenseStore"/>.
/// </summary>
public sealed class SqliteLicenseStore : LicenseStore
{
    public const string FileName = "license-server.db";

    private readonly SqliteLicenseDatabase _database;
    private readonly TimeProvider _time;

    public SqliteLicenseStore(IOptions<StorageOptions> storage, IHostEnvironment environment, TimeProvider time)
        : this(Open(storage.Value, environment), time)
    {
    }

    private SqliteLicenseStore(SqliteLicenseDatabase database, TimeProvider time)
        : base(database, database.Reads)
    {
        _database = database;
        _time = time;
    }

    public string DatabasePath => _database.Path;

    public override Task MigrateAsync(Func<ServerRecord> createIdentity, CancellationToken cancellationToken) =>
        Writer.ExclusiveAsync(() => _database.Migrate(createIdentity, _time.GetUtcNow()), cancellationToken);

    /// <summary>The schema without an identity: for the alert tables that stay in this file while the licenses are on PostgreSQL.</summary>
    internal void MigrateSchema() => _database.MigrateSchema(_time.GetUtcNow()).Dispose();

    private protected override void Release() => _database.ClearPool();

    private static SqliteLicenseDatabase Open(StorageOptions storage, IHostEnvironment environment)
    {
        var directory = Path.GetFullPath(storage.DataDirectory, environment.ContentRootPath);
        Directory.CreateDirectory(directory);
        return new SqliteLicenseDatabase(Path.Combine(directory, FileName));
    }
}
