namespace RdsPlatform.LicenseServer;

/// <summary>Configuration section <c>LicenseServer</c>: who this license server is.</summary>
public sealed class LicenseServerOptions
{
    public const string SectionName = "LicenseServer";

    /// <summary>2016, 2019, 2022 or 2025: the newest CAL version this server hosts (R14).</summary>
    public string Version { get; set; } = "2025";

    /// <summary>Workgroup or Domain; Per User CALs are tracked only in a domain (R12).</summary>
    public ServerScope Scope { get; set; } = ServerScope.Domain;

    public string Domain { get; set; } = "CONTOSO";

    /// <summary>How often expired seats are reclaimed and audited in the background (they are also reclaimed at every write).</summary>
    public TimeSpan ReclaimSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the replica holding the background-work lease re-reads the pools for alerts, to notice the writes of
    /// other replicas (its own writes signal it at once). Not used by a license server alone on SQLite.
    /// </summary>
    public TimeSpan AlertPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The shortest time between two re-reads of the pools for alerts. A signal after a quiet spell is judged at once;
    /// under a stream of issuances the judgments come at most this often instead of one after every group commit (each
    /// is a few reads over the pools: on PostgreSQL, round trips and server CPU taken from the issuances themselves).
    /// </summary>
    public TimeSpan AlertReadInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a followed audit trail looks for events committed by another process sharing the database.</summary>
    public TimeSpan AuditFollowPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>R18: when true, only the session hosts in <see cref="AllowedSessionHosts"/> are served.</summary>
    public bool SecurityGroupEnabled { get; set; }

    public List<string> AllowedSessionHosts { get; set; } = [];

    public ProductVersion ProductVersion => Version.Trim() switch
    {
        "2016" => ProductVersion.WindowsServer2016,
        "2019" => ProductVersion.WindowsServer2019,
        "2022" => ProductVersion.WindowsServer2022,
        "2025" => ProductVersion.WindowsServer2025,
        _ => throw new InvalidOperationException(
            $"LicenseServer:Version is '{Version}'; set it to 2016, 2019, 2022 or 2025."),
    };
}
