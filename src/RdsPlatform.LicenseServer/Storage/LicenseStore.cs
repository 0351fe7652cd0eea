namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// What both engines' stores share: writes through one group-commit loop per process (<see cref="GroupCommitWriter"/>)
/// and reads through short queries (<see cref="LicenseReads"/>), with the same SQL and row mapping. An engine adds its
/// database, its write lock and its migration.
/// </summary>
public abstract class LicenseStore : ILicenseStore, Application.ILicenseCountReader, IDisposable
{
    private readonly GroupCommitWriter _writer;
    private readonly LicenseReads _reads;

    private protected LicenseStore(IWriteEngine writes, ReadEngine reads)
    {
        _writer = new GroupCommitWriter(writes);
        _reads = new LicenseReads(reads);
    }

    public Task NextCommit => _writer.NextCommit;

    private protected GroupCommitWriter Writer => _writer;

    /// <summary>Groups of scoped writes rolled back and run again one write at a time (see <see cref="GroupCommitWriter.Replays"/>).</summary>
    internal long GroupReplays => _writer.Replays;

    public abstract Task MigrateAsync(Func<ServerRecord> createIdentity, CancellationToken cancellationToken);

    public Task<T> WriteAsync<T>(Func<ILicenseWriteSession, T> work, CancellationToken cancellationToken) => _writer.WriteAsync(null, work, cancellationToken);

    public Task<T> WriteAsync<T>(WriteScope scope, Func<ILicenseWriteSession, T> work, CancellationToken cancellationToken) =>
        _writer.WriteAsync(scope, work, cancellationToken);

    public Task<ServerRecord> GetServerAsync(CancellationToken cancellationToken) => _reads.GetServerAsync(cancellationToken);

    public Task<IReadOnlyList<KeyPackRecord>> ListKeyPacksAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _reads.ListKeyPacksAsync(now, cancellationToken);

    public IAsyncEnumerable<LicenseRecord> StreamLicensesAsync(LicenseQuery query, CancellationToken cancellationToken) =>
        _reads.StreamLicensesAsync(query, cancellationToken);

    public IAsyncEnumerable<TBatch> StreamListingAsync<TBatch>(LicenseQuery query, IListingBatchBuilder<TBatch> builder, CancellationToken cancellationToken) =>
        _reads.StreamListingAsync(query, builder, cancellationToken);

    public IAsyncEnumerable<AuditRecord> StreamAuditAsync(long afterSequence, int limit, IReadOnlyCollection<AuditEventType> types, CancellationToken cancellationToken) =>
        _reads.StreamAuditAsync(afterSequence, limit, types, cancellationToken);

    public Task<PoolLevels> ReadPoolLevelsAsync(DateTimeOffset now, CancellationToken cancellationToken) => _reads.ReadPoolLevelsAsync(now, cancellationToken);

    public Task CheckAsync(CancellationToken cancellationToken) => _reads.CheckAsync(cancellationToken);

    /// <summary>Summaries count CALs with one GROUP BY instead of reading each CAL (CountIssuedLicenses).</summary>
    public Task<IReadOnlyList<Application.LicenseCount>> CountLicensesAsync(IReadOnlyCollection<CalStatus> statuses, DateTimeOffset now,
        CancellationToken cancellationToken) => _reads.CountLicensesAsync(statuses, now, cancellationToken);

    /// <summary>Writes already queued are still committed and answered; new ones are refused.</summary>
    public void Dispose()
    {
        _writer.Dispose();
        Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>What the engine lets go of after the writer stopped.</summary>
    private protected virtual void Release()
    {
    }
}
