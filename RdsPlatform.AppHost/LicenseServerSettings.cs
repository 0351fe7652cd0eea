using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace RdsPlatform.AppHost;

/// <summary>
/// Who the topology's license server is: its Windows Server version (the newest CAL version it hosts, R14), its scope
/// (Per User CALs are tracked only in a domain, R12) and its domain. Read from the AppHost's <c>LicenseServer</c>
/// section and checked before anything starts, so a typo stops the AppHost with a sentence instead of a service
/// that fails later.
/// </summary>
public sealed partial record LicenseServerSettings(string Version, string Scope, string Domain)
{
    public const string SectionName = "LicenseServer";

    private static readonly string[] Versions = ["2016", "2019", "2022", "2025"];
    private static readonly string[] Scopes = ["Domain", "Workgroup"];

    /// <summary>The settings, with the service's defaults (2025, Domain, CONTOSO) for those not set.</summary>
    public static LicenseServerSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var version = section["Version"]?.Trim() is { Length: > 0 } v ? v : "2025";
        var scope = section["Scope"]?.Trim() is { Length: > 0 } s ? s : "Domain";
        var domain = section["Domain"]?.Trim() is { Length: > 0 } d ? d : "CONTOSO";

        var problems = new List<string>();
        if (!Versions.Contains(version, StringComparer.Ordinal))
        {
            problems.Add($"{SectionName}:Version is '{version}'; set it to 2016, 2019, 2022 or 2025 (the license server's Windows Server version).");
        }

        var knownScope = Scopes.FirstOrDefault(k => string.Equals(k, scope, StringComparison.OrdinalIgnoreCase));
        if (knownScope is null)
        {
            problems.Add($"{SectionName}:Scope is '{scope}'; set it to Domain or Workgroup.");
        }

        if (!DomainPattern().IsMatch(domain))
        {
            problems.Add($"{SectionName}:Domain is '{domain}'; give a domain name of 1 to 255 letters, digits, '.' or '-', for example CONTOSO or corp.contoso.com.");
        }

        return problems.Count > 0
            ? throw new InvalidOperationException("The AppHost's license server settings are invalid: " + string.Join(" ", problems))
            : new LicenseServerSettings(version, knownScope!, domain);
    }

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9.-]{0,253}[A-Za-z0-9])?$")]
    private static partial Regex DomainPattern();
}

public static class LicenseServerSettingsExtensions
{
    /// <summary>Hands the settings to the license server as its <c>LicenseServer:*</c> configuration.</summary>
    public static IResourceBuilder<ProjectResource> WithLicenseServerSettings(this IResourceBuilder<ProjectResource> project, LicenseServerSettings settings) => project
        .WithEnvironment("LicenseServer__Version", settings.Version)
        .WithEnvironment("LicenseServer__Scope", settings.Scope)
        .WithEnvironment("LicenseServer__Domain", settings.Domain);
}
