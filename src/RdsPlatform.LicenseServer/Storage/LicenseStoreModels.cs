// The records the license store ports read and write: CALs, key packs, identity, audit entries, queries and pool levels.

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>An issued CAL with what the license server records besides the core's view of it.</summary>
public sealed record LicenseRecord(IssuedCal Cal, string? ComputerName, string? UserDomain, string? UserName, string? SessionHostId);

/// <summary>
/// The values of the current row of a bulk listing (<see cref="LicenseRows.ListingColumns"/>) as the engine's reader
/// holds them; none is NULL (the query coalesces them). A span from <see cref="Utf8"/> is valid until the next call.
/// </summary>
public interface IListingColumns
{
    /// <summary>A text value's UTF-8 bytes: SQLite's own (no string is made), PostgreSQL's string encoded into a scratch buffer.</summary>
    ReadOnlySpan<byte> Utf8(int ordinal);

    int Int32(int ordinal);

    long Int64(int ordinal);
}

/// <summary>
/// A CAL of the bulk listing, read only as far as it is used, while the engine's reader is on its row: ids as the store
/// holds them (the canonical text a Guid prints), text the store holds no value for as empty, the stored (not the shown)
/// status, times as UTC ticks (<see cref="NoTime"/> for none). The one place that knows the listing's column order.
/// </summary>
public readonly struct ListingRow<TColumns>(TColumns columns) where TColumns : struct, IListingColumns
{
    /// <summary>An optional time the CAL does not have (no stored time is before year 1).</summary>
    public const long NoTime = -1;

    public ReadOnlySpan<byte> LicenseId => columns.Utf8(0);

    public CalType Type => (CalType)columns.Int32(1);

    public ProductVersion Version => (ProductVersion)columns.Int32(2);

    public ReadOnlySpan<byte> Subject => columns.Utf8(3);

    public CalStatus Status => (CalStatus)columns.Int32(4);

    /// <summary>Empty for temporary and OverUsed CALs.</summary>
    public ReadOnlySpan<byte> KeyPackId => columns.Utf8(5);

    public long IssuedAtTicks => columns.Int64(6);

    public long ExpiresAtTicks => columns.Int64(7);

    public bool Validated => columns.Int64(8) != 0;

    public long AssignedAtTicks => columns.Int64(9);

    public long RevokedAtTicks => columns.Int64(10);

    public ReadOnlySpan<byte> ComputerName => columns.Utf8(11);

    public ReadOnlySpan<byte> UserDomain => columns.Utf8(12);

    public ReadOnlySpan<byte> UserName => columns.Utf8(13);

    public ReadOnlySpan<byte> SessionHostId => columns.Utf8(14);
}

/// <summary>Receives the rows of the bulk listing, each while the engine's reader is on it.</summary>
public interface IListingRowSink
{
    void Add<TColumns>(in ListingRow<TColumns> row) where TColumns : struct, IListingColumns;
}

/// <summary>
/// Gathers the rows of one batch of the bulk listing into what the caller sends (<see cref="ILicenseReader.StreamListingAsync{TBatch}"/>):
/// <see cref="IListingRowSink.Add{TColumns}"/> per row while the reader is on it, then <see cref="Complete"/> once per batch that had rows.
/// </summary>
public interface IListingBatchBuilder<out TBatch> : IListingRowSink
{
    /// <summary>The batch gathered since the last call; the caller has it to itself until it asks for the next batch.</summary>
    TBatch Complete();
}

/// <summary>An installed key pack; <see cref="Issued"/> is the number of seats occupied at the time it was read.</summary>
/// <param name="InstallKey">The core's canonical key: a code is installed once.</param>
/// <param name="Reference">The code or number, masked except its last characters.</param>
public sealed record KeyPackRecord(
    Guid Id,
    string InstallKey,
    KeyPackProgram Program,
    AgreementType? AgreementType,
    string Reference,
    ProductVersion Version,
    CalType CalType,
    int Installed,
    int Issued,
    DateTimeOffset InstalledAt)
{
    public int Available => Math.Max(0, Installed - Issued);

    public KeyPackSnapshot ToSnapshot() => new(Id, Version, CalType, Installed, Issued, InstalledAt);
}

/// <summary>The license server's identity and activation, kept in its database so they survive restarts.</summary>
/// <param name="SigningKey">ECDSA P-256 private key, PKCS#8 DER.</param>
public sealed record ServerRecord(Guid ServerId, byte[] SigningKey, DateTimeOffset CreatedAt, ActivationState Activation);

/// <summary>Kinds of audit events; the numbers are those of <c>rds.licensing.v1.AuditEventType</c>.</summary>
public enum AuditEventType
{
    LicenseIssued = 1,
    LicenseValidated = 2,
    LicenseUpgraded = 3,
    LicenseRenewed = 4,
    LicenseRevoked = 5,
    LicenseReclaimed = 6,
    LicenseOverUsed = 7,
    KeyPackInstalled = 8,
    LicensesRemoved = 9,
    KeyPackUninstalled = 10,
    ServerActivated = 11,
    ServerDeactivated = 12,
    ServerReactivated = 13,
    IssuanceFailed = 14,
    AlertRaised = 15,
}

/// <summary>One licensing event to append to the audit trail, in the transaction of the change it records.</summary>
public sealed record AuditEntry(
    DateTimeOffset OccurredAt,
    AuditEventType Type,
    string Detail,
    ReasonCode? Reason = null,
    Guid? LicenseId = null,
    Guid? KeyPackId = null,
    CalType? CalType = null,
    ProductVersion? Version = null,
    string? Subject = null,
    string? SessionHostId = null);

/// <summary>An audit entry as stored, with its strictly increasing sequence number.</summary>
public sealed record AuditRecord(long Sequence, AuditEntry Entry);

/// <summary>Filters of an issued-license listing; null matches everything.</summary>
/// <param name="Status">The status shown at <paramref name="Now"/> (Expired is derived from the expiry).</param>
public sealed record LicenseQuery(
    DateTimeOffset Now,
    CalType? Type = null,
    ProductVersion? Version = null,
    CalStatus? Status = null,
    string? Subject = null,
    string? UserDomain = null,
    Guid? KeyPackId = null,
    bool IncludeExpired = false,
    Guid? AfterLicenseId = null);

/// <summary>Seats of one pack, for the pool gauges.</summary>
public sealed record PoolLevel(Guid KeyPackId, ProductVersion Version, CalType CalType, int Installed, int Issued)
{
    public int Available => Math.Max(0, Installed - Issued);
}

/// <summary>Unexpired OverUsed Per User CALs of one CAL version.</summary>
public sealed record OverUsedLevel(ProductVersion Version, int Count);

/// <summary>Pool levels of every pack and the unexpired OverUsed Per User CALs per version.</summary>
public sealed record PoolLevels(IReadOnlyList<PoolLevel> Packs, IReadOnlyList<OverUsedLevel> OverUsed)
{
    public static PoolLevels Empty { get; } = new([], []);
}
