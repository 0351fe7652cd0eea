namespace RdsPlatform.Cli.Infrastructure;

/// <summary>Options every command accepts: where the services are, the API key, the deadline and the output format.</summary>
public class GlobalSettings : CommandSettings
{
    public const string LicenseServerVariable = "RDSLIC_LICENSE_SERVER";
    public const string GatewayVariable = "RDSLIC_GATEWAY";
    public const string ReportingVariable = "RDSLIC_REPORTING";
    public const string ApiKeyVariable = "RDSLIC_API_KEY";

    [CommandOption("--license-server <URL>")]
    [Description("License server address (env RDSLIC_LICENSE_SERVER, default http://localhost:5101).")]
    public string? LicenseServer { get; init; }

    [CommandOption("--gateway <URL>")]
    [Description("Session-host gateway address (env RDSLIC_GATEWAY, default http://localhost:5102).")]
    public string? Gateway { get; init; }

    [CommandOption("--reporting <URL>")]
    [Description("Reporting service address (env RDSLIC_REPORTING, default http://localhost:5103).")]
    public string? Reporting { get; init; }

    [CommandOption("--api-key <KEY>")]
    [Description("API key sent as 'authorization: Bearer <KEY>' (env RDSLIC_API_KEY).")]
    public string? ApiKey { get; init; }

    [CommandOption("--timeout <DURATION>")]
    [Description("Deadline of each call, e.g. 30s, 2m (default 30s; streams and exports get ten times as long).")]
    public string? Timeout { get; init; }

    [CommandOption("--json")]
    [Description("Write machine-readable JSON to standard output instead of tables.")]
    public bool Json { get; init; }
}
