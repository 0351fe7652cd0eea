using RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// Port to the license database (SQLite today; PostgreSQL can implement it later). Every write runs in one
/// serialized transaction: the work loads what it needs, asks the core for a decision and persists it with its audit entry.
/// </summary>
public interface ILicenseStore
{
    /// <summary>Creates or migrates the schema, and stores the identity from <paramref name="createIdentity"/> on first start.</summary>
    Task InitializeAsync(Func<ServerRecord> createIdentity, CancellationToken cancellationToken);

    Task<ServerRecord> GetServerAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> alone (writes are sequential), committed when it returns and rolled back when it throws;
    /// the task completes only once the change is durable. Writes queued together may share one transaction (group
    /// commit), each in its own savepoint. A write cancelled before it started is skipped; once started it runs to its end.
    /// </summary>
    Task<T> WriteAsync<T>(Func<ILicenseWriteSession, T> work, CancellationToken cancellationToken);

    Task<IReadOnlyList<KeyPackRecord>> ListKeyPacksAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Issued CALs matching <paramref name="query"/> in license id order, read in bounded batches.</summary>
    IAsyncEnumerable<LicenseRecord> StreamLicensesAsync(LicenseQuery query, CancellationToken cancellationToken);

    /// <summary>Audit events after <paramref name="afterSequence"/>, at most <paramref name="limit"/> (0 = all), of the given types (empty = all).</summary>
    IAsyncEnumerable<AuditRecord> StreamAuditAsync(long afterSequence, int limit, IReadOnlyCollection<AuditEventType> types, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when this process next commits a write. Take it before reading, so a commit between the read and the wait
    /// is not missed; other processes writing the same database do not complete it.
    /// </summary>
    Task NextCommit { get; }

    Task<PoolLevels> ReadPoolLevelsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Throws when the database cannot be read.</summary>
    Task CheckAsync(CancellationToken cancellationToken);
}

/// <summary>What a write may do inside its transaction. Synchronous: the transaction holds the database's write lock.</summary>
public interface ILicenseWriteSession
{
    ServerRecord Server { get; }

    /// <summary>
    /// Set once expired seats were reclaimed in this transaction, so later writes committed in the same group skip the
    /// sweep (seats are free at their expiry either way; reclaiming only records it).
    /// </summary>
    bool SeatsReclaimed { get; set; }

    /// <summary>
    /// Runs <paramref name="action"/> once the transaction committed, and never if this write is rolled back: for
    /// metrics and notifications that must not count a change that did not happen. It runs on the writer thread: keep it short.
    /// </summary>
    void AfterCommit(Action action);

    void SaveActivation(ActivationState state);

    /// <summary>Packs of <paramref name="type"/> with the seats occupied at <paramref name="now"/>.</summary>
    IReadOnlyList<KeyPackSnapshot> LoadPackSnapshots(CalType type, DateTimeOffset now);

    KeyPackRecord? FindKeyPack(Guid id, DateTimeOffset now);

    /// <summary>The id of the pack installed with this install key, if any.</summary>
    Guid? FindKeyPackByInstallKey(string installKey);

    void InsertKeyPack(KeyPackRecord pack);

    void UpdateKeyPackInstalled(Guid id, int installed);

    void DeleteKeyPack(Guid id);

    /// <summary>Every CAL on record for the subject and CAL type, any version and status.</summary>
    IReadOnlyList<LicenseRecord> LoadSubjectLicenses(CalType type, string subject);

    LicenseRecord? FindLicense(Guid id);

    void InsertLicense(LicenseRecord license);

    void UpdateLicense(LicenseRecord license);

    /// <summary>R8 inputs for a version: installed Per Device CALs and the expiries of its unexpired revoked CALs.</summary>
    RevocationSnapshot LoadRevocationSnapshot(ProductVersion version, DateTimeOffset now);

    /// <summary>CALs whose seat was released by expiry at <paramref name="now"/> and not yet reclaimed; marks up to <paramref name="max"/> as reclaimed.</summary>
    IReadOnlyList<LicenseRecord> ReclaimExpiredSeats(DateTimeOffset now, int max);

    void Append(AuditEntry entry);
}
