using Microsoft.Extensions.Options;
using RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// The SQLite engine of <see cref="ILicenseStore"/>: the license database in one file (<see cref="SqliteLicenseDatabase"/>),
/// written by one group-commit loop (<see cref="SqliteGroupCommitWriter"/>) and read by short queries (<see cref="SqliteLicenseReads"/>).
/// </summary>
public sealed class SqliteLicenseStore : ILicenseStore, IDisposable
{
    public const string FileName = "license-server.db";

    private readonly SqliteLicenseDatabase _database;
    private readonly SqliteGroupCommitWriter _writer;
    private readonly SqliteLicenseReads _reads;
    private readonly TimeProvider _time;

    public SqliteLicenseStore(IOptions<StorageOptions> storage, IHostEnvironment environment, TimeProvider time)
    {
        _time = time;
        var directory = Path.GetFullPath(storage.Value.DataDirectory, environment.ContentRootPath);
        Directory.CreateDirectory(directory);
        _database = new SqliteLicenseDatabase(Path.Combine(directory, FileName));
        _writer = new SqliteGroupCommitWriter(_database);
        _reads = new SqliteLicenseReads(_database);
    }

    public string DatabasePath => _database.Path;

    public Task NextCommit => _writer.NextCommit;

    public Task MigrateAsync(Func<ServerRecord> createIdentity, CancellationToken cancellationToken) =>
        _writer.ExclusiveAsync(() => _database.Migrate(createIdentity, _time.GetUtcNow()), cancellationToken);

    public Task<T> WriteAsync<T>(Func<ILicenseWriteSession, T> work, CancellationToken cancellationToken) => _writer.WriteAsync(work, cancellationToken);

    public Task<ServerRecord> GetServerAsync(CancellationToken cancellationToken) => _reads.GetServerAsync(cancellationToken);

    public Task<IReadOnlyList<KeyPackRecord>> ListKeyPacksAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _reads.ListKeyPacksAsync(now, cancellationToken);

    public IAsyncEnumerable<LicenseRecord> StreamLicensesAsync(LicenseQuery query, CancellationToken cancellationToken) =>
        _reads.StreamLicensesAsync(query, cancellationToken);

    public IAsyncEnumerable<AuditRecord> StreamAuditAsync(long afterSequence, int limit, IReadOnlyCollection<AuditEventType> types, CancellationToken cancellationToken) =>
        _reads.StreamAuditAsync(afterSequence, limit, types, cancellationToken);

    public Task<PoolLevels> ReadPoolLevelsAsync(DateTimeOffset now, CancellationToken cancellationToken) => _reads.ReadPoolLevelsAsync(now, cancellationToken);

    public Task CheckAsync(CancellationToken cancellationToken) => _reads.CheckAsync(cancellationToken);

    public void Dispose()
    {
        _writer.Dispose();
        _database.ClearPool();
    }
}
