using Microsoft.Extensions.Configuration;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost;

/// <summary>
/// A service's own settings given to the AppHost (its appsettings.json, its command line after <c>--</c>, or its
/// environment) reach that service, so the topology is tuned where it is started:
/// <c>dotnet run --project RdsPlatform.AppHost -- --Gateway:SessionCacheCapacity=10000</c>. Each section goes only to the
/// service that reads it; the AppHost's own values (keys, ports, addresses, data folders, the checked LicenseServer
/// settings) are set after these and win. API keys are never forwarded: they come from the AppHost's secret parameters.
/// </summary>
public static class ForwardedSettings
{
    /// <summary>The configuration sections each service reads as its own (docs of each service list their keys).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> SectionsOf = new Dictionary<string, string[]>
    {
        [ResourceNames.LicenseServer] = ["LicenseServer", "Webhooks", .. Common],
        [ResourceNames.SessionHost] = ["Gateway", "Alerts", .. Common],
        [ResourceNames.Reporting] = ["Reporting", .. Common],
        [ResourceNames.Manager] = ["Manager"],
    };

    /// <summary>The service defaults every gRPC service reads: health probes, stream deadlines, failed-authentication limits.</summary>
    private static string[] Common => ["Health", "Rpc", "Auth:FailureLimit", "Auth:FailureWindow"];

    /// <summary>The environment variables (<c>Section__Key</c>) that carry <paramref name="sections"/> of <paramref name="configuration"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Variables(IConfiguration configuration, IEnumerable<string> sections) =>
        sections
            .SelectMany(section => configuration.GetSection(section).AsEnumerable())
            .Where(setting => setting.Value is not null)
            .Select(setting => KeyValuePair.Create(setting.Key.Replace(":", "__", StringComparison.Ordinal), setting.Value!));

    /// <summary>
    /// Hands the project the AppHost's settings of its own sections. Call it right after adding the project, so the
    /// AppHost's later values for the same names win.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithForwardedSettings(this IResourceBuilder<ProjectResource> project, IConfiguration configuration)
    {
        foreach (var (name, value) in Variables(configuration, SectionsOf[project.Resource.Name]))
        {
            project.WithEnvironment(name, value);
        }

        return project;
    }
}
