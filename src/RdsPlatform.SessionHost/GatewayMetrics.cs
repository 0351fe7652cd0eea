using System.Diagnostics.Metrics;
using RdsPlatform.Licensing;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.SessionHost.LicenseServers;

namespace RdsPlatform.SessionHost;

/// <summary>The gateway's business metrics (meter <c>RdsPlatform.SessionHost</c>).</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "RdsPlatform.SessionHost";

    private static readonly int ReasonCount = Enum.GetValues<Contracts.Common.V1.ReasonCode>().Max(r => (int)r) + 1;
    private static readonly int ModeCount = Enum.GetValues<LicensingMode>().Max(m => (int)m) + 1;

    // Counted on every Connect: kept here and read when metrics are collected (TaggedCounts), not added through the
    // metrics pipeline per call.
    private readonly TaggedCounts _decisions = new(DecisionTags());
    private readonly TaggedCounts _verifications = new([
        [new KeyValuePair<string, object?>("cache", "miss")],
        [new KeyValuePair<string, object?>("cache", "hit")],
    ]);

    public GatewayMetrics(IMeterFactory meters, SessionHostStore hosts, LicenseServerRegistry licenseServers, TimeProvider time)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("rds.connection.decisions", _decisions.Observe, "{decision}",
            "Connection decisions, by reason code, admission and licensing mode.");
        meter.CreateObservableCounter("rds.certificate.verifications", _verifications.Observe, "{certificate}",
            "Presented certificates checked; cache=hit when the bytes were already verified in this process, miss when the signature was checked.");
        meter.CreateObservableGauge("rds.grace.days_left", () => GraceDaysLeft(hosts, time), "d", "Days left of each session host's licensing grace period.");
        meter.CreateObservableGauge("rds.grace.hosts_in_grace", () => HostsInGrace(hosts, time), "{host}",
            "Session hosts whose licensing grace period has not ended.");
        meter.CreateObservableGauge("rds.license_server.reachable", () => Reachability(licenseServers), "{license_server}",
            "1 while the gateway's last call to a license server was answered, 0 while it is skipped as unreachable.");
    }

    /// <summary>Counts one decision; <paramref name="reason"/> and <paramref name="mode"/> are defined values (ContractMapping maps every core value to one).</summary>
    public void Decided(Contracts.Common.V1.ReasonCode reason, bool admitted, LicensingMode mode) =>
        _decisions.Increment(DecisionCell((int)reason, admitted, (int)mode));

    public void CertificateVerified(bool cacheHit) => _verifications.Increment(cacheHit ? 1 : 0);

    private static int DecisionCell(int reason, bool admitted, int mode)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)reason, (uint)ReasonCount, nameof(reason));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)mode, (uint)ModeCount, nameof(mode));
        return ((reason * 2) + (admitted ? 1 : 0)) * ModeCount + mode;
    }

    // Every cell's tags, as a counter with tags reason (the contract's reason code name), admitted and mode recorded them.
    private static KeyValuePair<string, object?>[][] DecisionTags()
    {
        var tags = new KeyValuePair<string, object?>[ReasonCount * 2 * ModeCount][];
        for (var reason = 0; reason < ReasonCount; reason++)
        {
            foreach (var admitted in (bool[])[false, true])
            {
                for (var mode = 0; mode < ModeCount; mode++)
                {
                    tags[DecisionCell(reason, admitted, mode)] =
                    [
                        new("reason", ((Contracts.Common.V1.ReasonCode)reason).ToString()),
                        new("admitted", admitted),
                        new("mode", ((LicensingMode)mode).ToString()),
                    ];
                }
            }
        }

        return tags;
    }

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
