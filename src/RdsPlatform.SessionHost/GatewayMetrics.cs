using System.Diagnostics.Metrics;
using RdsPlatform.Licensing;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.SessionHost.LicenseServers;

namespace RdsPlatform.SessionHost;

/// <summary>The gateway's business metrics (meter <c>RdsPlatform.SessionHost</c>).</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "RdsPlatform.SessionHost";

    private readonly Counter<long> _decisions;
    private readonly Counter<long> _verifications;

    public GatewayMetrics(IMeterFactory meters, SessionHostStore hosts, LicenseServerRegistry licenseServers, TimeProvider time)
    {
        var meter = meters.Create(MeterName);
        _decisions = meter.CreateCounter<long>("rds.connection.decisions", "{decision}", "Connection decisions, by reason code, admission and licensing mode.");
        _verifications = meter.CreateCounter<long>("rds.certificate.verifications", "{certificate}",
            "Presented certificates checked; cache=hit when the bytes were already verified in this process, miss when the signature was checked.");
        meter.CreateObservableGauge("rds.grace.days_left", () => GraceDaysLeft(hosts, time), "d", "Days left of each session host's licensing grace period.");
        meter.CreateObservableGauge("rds.grace.hosts_in_grace", () => HostsInGrace(hosts, time), "{host}",
            "Session hosts whose licensing grace period has not ended.");
        meter.CreateObservableGauge("rds.license_server.reachable", () => Reachability(licenseServers), "{license_server}",
            "1 while the gateway's last call to a license server was answered, 0 while it is skipped as unreachable.");
    }

    public void Decided(Contracts.Common.V1.ReasonCode reason, bool admitted, LicensingMode mode) =>
        _decisions.Add(1,
            new KeyValuePair<string, object?>("reason", reason.ToString()),
            new KeyValuePair<string, object?>("admitted", admitted),
            new KeyValuePair<string, object?>("mode", mode.ToString()));

    public void CertificateVerified(bool cacheHit) =>
        _verifications.Add(1, new KeyValuePair<string, object?>("cache", cacheHit ? "hit" : "miss"));

    private static int HostsInGrace(SessionHostStore hosts, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return hosts.All.Count(host => GracePeriod.DaysLeft(host.GraceStartedAt, now) > 0);
    }

    private static IEnumerable<Measurement<int>> Reachability(LicenseServerRegistry licenseServers) =>
        licenseServers.Known.Select(server => new Measurement<int>(server.IsAnswering ? 1 : 0,
            new KeyValuePair<string, object?>("license_server", server.Address)));

    private static IEnumerable<Measurement<int>> GraceDaysLeft(SessionHostStore hosts, TimeProvider time)
    {
        var now = time.GetUtcNow();
        foreach (var host in hosts.All)
        {
            yield return new Measurement<int>(GracePeriod.DaysLeft(host.GraceStartedAt, now), new KeyValuePair<string, object?>("host_id", host.HostId));
        }
    }
}
