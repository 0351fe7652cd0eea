// The records the license store ports read and write: CALs, key packs, identity, audit entries, queries and pool levels.

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>An issued CAL with what the license server records besides the core's view of it.</summary>
public sealed record LicenseRecord(IssuedCal Cal, string? ComputerName, string? UserDomain, string? UserName, string? SessionHostId);

/// <summary>
/// A CAL of the bulk listing, read without building a <see cref="LicenseRecord"/>: ids as the store holds them (the
/// canonical text a Guid prints), text the store holds no value for as empty, the stored (not the shown) status.
/// </summary>
public readonly record struct ListedLicense(
    string LicenseId,
    string KeyPackId,
    CalType Type,
    ProductVersion Version,
    string Subject,
    CalStatus Status,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    bool Validated,
    DateTimeOffset? AssignedAt,
    DateTimeOffset? RevokedAt,
    string ComputerName,
    string UserDomain,
    string UserName,
    string SessionHostId);

/// <summary>Turns a listed CAL into what the caller sends, while the read is on its row.</summary>
public delegate T ListingMap<out T>(in ListedLicense license);

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
