namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// What each step of the license database's history adds, one text for both engines (<see cref="SqliteSchema"/>,
/// <see cref="PostgresLicenseSchema"/>): version N means the same tables whichever engine holds them.
/// </summary>
internal static class LicenseSchemaSteps
{
    /// <summary>The license server's connection string name and its name in the PostgreSQL migration history.</summary>
    public const string ConnectionName = "licensing";

    public const string Identity = "identity, key packs, issued CALs, audit trail";

    public const string SeatDays = "seats per key pack and day, kept by triggers";

    public const string Webhooks = "webhook subscriptions and deliveries";

    public const string AlertState = "alert_state: what was last alerted";

    public const string KeyedByLicenseId = "issued CALs keyed by license id, without a surrogate id";

    public static string TooNew(long found, int known) =>
        $"The license database has schema version {found}, newer than this license server knows ({known}); run a newer license server or restore a matching backup.";
}
