using System.ComponentModel.DataAnnotations;
using RdsPlatform.ServiceDefaults;

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
    [Range(0, 86_400, ErrorMessage = "Reporting:ComplianceCacheSeconds must be from 0 (no cache) to 86400.")]
    public int ComplianceCacheSeconds { get; set; } = 5;

    /// <summary>Entries written per SQLite transaction while a report is generated (whole pages: a commit follows the page that reaches it).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Reporting:InsertBatchSize must be from 1 to 1,000,000.")]
    public int InsertBatchSize { get; set; } = 5000;

    /// <summary>Deadline of one license server stream; a million CALs stream well within it.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00", ErrorMessage = "Reporting:StreamDeadline must be a duration from 1 ms to 1 day, for example 00:00:05.")]
    public TimeSpan StreamDeadline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Deadline of one unary license server call.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00", ErrorMessage = "Reporting:CallDeadline must be a duration from 1 ms to 1 day, for example 00:00:05.")]
    public TimeSpan CallDeadline { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed class ReportingStorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Folder of <c>reporting.db</c>; relative paths are under the content root.</summary>
    public string DataDirectory { get; set; } = "data";
}
