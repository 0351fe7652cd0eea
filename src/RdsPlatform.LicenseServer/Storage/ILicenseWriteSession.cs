using System.Data.Common;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>What a write may do inside its transaction. Synchronous: the transaction holds the database's write lock.</summary>
public interface ILicenseWriteSession
{
    ServerRecord Server { get; }

    /// <summary>
    /// Runs <paramref name="action"/> once the transaction committed, and never if this write is rolled back: for
    /// metrics and notifications that must not count a change that did not happen. Keep it short: it may run on the writer's thread.
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

    /// <summary>Stores the CAL's new state; a seat taken again (a changed seat end) is no longer marked reclaimed.</summary>
    void UpdateLicense(LicenseRecord license);

    /// <summary>R8 inputs for a version: installed Per Device CALs and the expiries of its unexpired revoked CALs.</summary>
    RevocationSnapshot LoadRevocationSnapshot(ProductVersion version, DateTimeOffset now);

    /// <summary>CALs whose seat was released by expiry at <paramref name="now"/> and not yet reclaimed; marks up to <paramref name="max"/> as reclaimed.</summary>
    IReadOnlyList<LicenseRecord> ReclaimExpiredSeats(DateTimeOffset now, int max);

    void Append(AuditEntry entry);

    /// <summary>
    /// Runs <paramref name="work"/> on this write's connection and transaction, for the tables other parts own in the
    /// license database (alert state, webhook deliveries): what it writes commits or rolls back with this write.
    /// </summary>
    T InTransaction<T>(Func<DbConnection, DbTransaction, T> work);
}
