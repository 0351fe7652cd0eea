namespace RdsPlatform.Reporting;

/// <summary>Configuration section <c>Reporting</c>.</summary>
public sealed class ReportingOptions
{
    public const string SectionName = "Reporting";

    /// <summary>Address of the license server; the Aspire name resolves through service discovery.</summary>
    public string LicenseServerAddress { get; set; } = "http://license-server";

    /// <summary>The reporter API key sent to the license server as <c>authorization: Bearer</c> (read by the client setup).</summary>
    public string? LicenseServerApiKey { get; set; }

    /// <summary>How long a live compliance summary is served from the cache.</summary>
    public int ComplianceCacheSeconds { get; set; } = 5;

    /// <summary>Rows written per SQLite transaction while a report is generated.</summary>
    public int InsertBatchSize { get; set; } = 5000;

    /// <summary>Deadline of one license server stream; a million CALs stream well within it.</summary>
    public TimeSpan StreamDeadline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Deadline of one unary license server call.</summary>
    public TimeSpan CallDeadline { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed class ReportingStorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Folder of <c>reporting.db</c>; relative paths are under the content root.</summary>
    public string DataDirectory { get; set; } = "data";
}
