using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.Testing;

/// <summary>
/// How one service under test is started by <see cref="ServiceFarm"/>: its settings, its clock, its data folder and any
/// services a test substitutes. Everything goes through the service's own host (its Program), never its internals.
/// </summary>
public sealed class ServiceSetup
{
    /// <summary>The name of the HTTP client the gateway reaches license servers through (one pipeline for every license server).</summary>
    public const string GatewayLicenseServerClient = "license-server";

    /// <summary>Configuration, applied after the farm's common settings (a later value wins).</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>The data folder; by default the service's name under the farm's root.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Whether the service accepts the well-known <see cref="TestKeys"/> (and sends the service-to-service ones).</summary>
    public bool UseTestKeys { get; set; } = true;

    /// <summary>The clock the service reads instead of its own; by default the farm's.</summary>
    public TimeProvider? Time { get; set; }

    /// <summary>Runs the service with Clock:Mode=Simulated (its own clock, moved through the Clock service) instead of a substituted one.</summary>
    public bool SimulatedClock { get; set; }

    /// <summary>Substitutions made after the service registered its own (ConfigureTestServices).</summary>
    public List<Action<IServiceCollection>> TestServices { get; } = [];

    public ServiceSetup Set(string key, string? value)
    {
        Settings[key] = value;
        return this;
    }

    /// <summary>Sets each of <paramref name="settings"/> (none when null).</summary>
    public ServiceSetup SetAll(IEnumerable<KeyValuePair<string, string?>>? settings)
    {
        foreach (var (key, value) in settings ?? [])
        {
            Settings[key] = value;
        }

        return this;
    }

    /// <summary>A gateway's outgoing license server calls go through <paramref name="handler"/> (it routes by host name).</summary>
    public ServiceSetup GatewayReachesLicenseServersThrough(Func<HttpMessageHandler> handler)
    {
        TestServices.Add(services => services.AddHttpClient(GatewayLicenseServerClient).ConfigurePrimaryHttpMessageHandler(handler));
        return this;
    }

    /// <summary>A reporting service reads its license server through <paramref name="handler"/> (address http://localhost).</summary>
    public ServiceSetup ReportingReadsLicenseServerThrough(Func<HttpMessageHandler> handler)
    {
        Settings["Reporting:LicenseServerAddress"] = "http://localhost";
        // Reporting names its license server client after the resource (LicensePagesClient.HttpClientName).
        TestServices.Add(services => services.AddHttpClient(ResourceNames.LicenseServer).ConfigurePrimaryHttpMessageHandler(handler));
        return this;
    }

    /// <summary>
    /// The gateway settings the in-process farms share: the revocation feed and the not-tracked outbox poll every 200 ms,
    /// a license server that failed is tried again at once (outages are simulated by failing at once), and a call may take
    /// 15 s, since a shared 2-core machine can stall one for seconds.
    /// </summary>
    public ServiceSetup FastGateway()
    {
        Settings["Gateway:RevocationPollInterval"] = "00:00:00.200";
        Settings["Gateway:NotTrackedRetryInterval"] = "00:00:00.200";
        Settings["Gateway:LicenseServerRetryAfter"] = "00:00:00";
        Settings["Gateway:LicenseServerTimeout"] = "00:00:15";
        return this;
    }
}
