namespace RdsPlatform.Manager;

/// <summary>Configuration section <c>Manager</c>: where the three services are and how long a call may take.</summary>
public sealed class ManagerOptions
{
    public const string SectionName = "Manager";

    /// <summary>Service-discovery names by default; absolute http(s) addresses work too.</summary>
    public string LicenseServerAddress { get; set; } = "http://license-server";

    public string GatewayAddress { get; set; } = "http://session-host";

    public string ReportingAddress { get; set; } = "http://reporting";

    /// <summary>Deadline of an ordinary call a page makes.</summary>
    public TimeSpan CallDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline of a long call: generating a report, exporting its CSV.</summary>
    public TimeSpan LongCallDeadline { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one live tail of the audit trail stays open before the page opens a new one.</summary>
    public TimeSpan LiveTailDeadline { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Configuration section <c>Storage</c>: where the manager keeps its Data Protection keys.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Relative paths are under the content root. The AppHost sets a folder under its data root.</summary>
    public string DataDirectory { get; set; } = "data";
}
