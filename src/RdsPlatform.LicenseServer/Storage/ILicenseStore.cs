namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// Port to the license database, one implementation per engine (SQLite today, PostgreSQL next): the start-up step prepares
/// it through <see cref="ILicenseSchema"/>, the application reads through <see cref="ILicenseReader"/> and decides and
/// persists through <see cref="ILicenseWriter"/>. An engine registers one object as all three.
/// </summary>
public interface ILicenseStore : ILicenseSchema, ILicenseReader, ILicenseWriter
{
}

/// <summary>Creates or migrates the license database; run once at start-up, before the server accepts calls.</summary>
public interface ILicenseSchema
{
    /// <summary>
    /// Brings the schema to the newest version this build knows (refusing a database newer than that), and stores the
    /// identity from <paramref name="createIdentity"/> when none is stored yet. Running it again changes nothing.
    /// </summary>
    Task MigrateAsync(Func<ServerRecord> createIdentity, CancellationToken cancellationToken);
}

/// <summary>Reads of committed state; never blocked by the writer.</summary>
public interface ILicenseReader
{
    Task<ServerRecord> GetServerAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<KeyPackRecord>> ListKeyPacksAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Issued CALs matching <paramref name="query"/> in license id order, read in bounded batches.</summary>
    IAsyncEnumerable<LicenseRecord> StreamLicensesAsync(LicenseQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The CALs <see cref="StreamLicensesAsync"/> yields (same filters, order and cursor) a batch at a time, each row
    /// handed to <paramref name="builder"/> while the reader is on it and read only as far as the builder reads it: no
    /// record or string per CAL (the bulk read of a million-CAL report). Yields the builder's batch after each batch read.
    /// </summary>
    IAsyncEnumerable<TBatch> StreamListingAsync<TBatch>(LicenseQuery query, IListingBatchBuilder<TBatch> builder, CancellationToken cancellationToken);

    /// <summary>Audit events after <paramref name="afterSequence"/>, at most <paramref name="limit"/> (0 = all), of the given types (empty = all).</summary>
    IAsyncEnumerable<AuditRecord> StreamAuditAsync(long afterSequence, int limit, IReadOnlyCollection<AuditEventType> types, CancellationToken cancellationToken);

    Task<PoolLevels> ReadPoolLevelsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Throws when the database cannot be read.</summary>
    Task CheckAsync(CancellationToken cancellationToken);
}

/// <summary>Writes: each one a decision made on state read in its own transaction, acknowledged only once durable.</summary>
public interface ILicenseWriter
{
    /// <summary>
    /// Runs <paramref name="work"/> in a transaction, serialized with every other write of the same database, so a decision
    /// never works on a stale count (R7); committed when it returns and rolled back alone when it throws. The task completes
    /// only once the change is durable. A write cancelled before it started is skipped; once started it runs to its end.
    /// </summary>
    Task<T> WriteAsync<T>(Func<ILicenseWriteSession, T> work, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="WriteAsync{T}(Func{ILicenseWriteSession, T}, CancellationToken)"/>, for a write that declares what it
    /// will read (<paramref name="scope"/>): an engine whose reads are round trips (PostgreSQL) reads it for a whole group
    /// of such writes at once. The guarantees are the same; a write reading outside its scope is still served, only slower.
    /// </summary>
    Task<T> WriteAsync<T>(WriteScope scope, Func<ILicenseWriteSession, T> work, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when this process next commits a write. Take it before reading, so a commit between the read and the wait
    /// is not missed; other processes writing the same database do not complete it.
    /// </summary>
    Task NextCommit { get; }
}

/// <summary>
/// What an issuance write reads: the CALs of one subject and type, and the packs of that type at <paramref name="Now"/>
/// (the clock time its decision uses).
/// </summary>
public sealed record WriteScope(CalType Type, string Subject, DateTimeOffset Now);
