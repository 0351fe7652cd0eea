using System.Diagnostics.Metrics;
using RdsPlatform.LicenseServer.Application;

namespace RdsPlatform.LicenseServer.Telemetry;

/// <summary>
/// Business metrics of the license server (meter <c>RdsPlatform.LicenseServer</c>). Pool gauges read an in-memory
/// snapshot that is re-read from the store only after a write changed the pools, not on every scrape.
/// </summary>
public sealed class LicenseServerMetrics
{
    public const string MeterName = "RdsPlatform.LicenseServer";

    private readonly Counter<long> _issued;
    private readonly Counter<long> _revoked;
    private readonly Counter<long> _reclaimed;
    private readonly ILicenseReader _store;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private PoolLevels _levels = PoolLevels.Empty;
    private DateTimeOffset _levelsReadAt = DateTimeOffset.MinValue;
    private int _stale = 1;

    public LicenseServerMetrics(IMeterFactory meterFactory, ILicenseReader store, ILeaderLease lease, TimeProvider time)
    {
        _store = store;
        _time = time;
        var meter = meterFactory.Create(MeterName);
        _issued = meter.CreateCounter<long>("rds.cal.issued", unit: "{cal}",
            description: "CALs issued, upgraded to permanent or issued again, by CAL type, version and temporary flag.");
        _revoked = meter.CreateCounter<long>("rds.cal.revoked", unit: "{cal}",
            description: "Per Device CALs revoked by an administrator, by version (R8).");
        _reclaimed = meter.CreateCounter<long>("rds.cal.reclaimed", unit: "{cal}",
            description: "Seats returned to their key pack because a CAL expired unrenewed, by CAL type and version.");
        meter.CreateObservableGauge("rds.pool.installed", () => Levels().Packs.Select(p => Measure(p.Installed, p)), unit: "{cal}",
            description: "Installed CALs per key pack.");
        meter.CreateObservableGauge("rds.pool.available", () => Levels().Packs.Select(p => Measure(p.Available, p)), unit: "{cal}",
            description: "Unissued CALs per installed key pack.");
        meter.CreateObservableGauge("rds.pool.issued", () => Levels().Packs.Select(p => Measure(p.Issued, p)), unit: "{cal}",
            description: "CALs holding a seat per installed key pack.");
        meter.CreateObservableGauge("rds.cal.overused", OverUsed, unit: "{cal}",
            description: "Unexpired Per User CALs recorded beyond the installed seats (R9), by version.");
        meter.CreateObservableGauge("rds.background.lease_held", () => lease.IsHeld ? 1 : 0,
            description: "1 on the replica holding the background-work lease (reclaim sweep, pool alerts), else 0; always 1 on SQLite.");
    }

    public void Issued(IssuedCal cal) =>
        _issued.Add(1,
            new KeyValuePair<string, object?>("cal_type", Name(cal.Type)),
            new KeyValuePair<string, object?>("version", (int)cal.Version),
            new KeyValuePair<string, object?>("temporary", cal.Status == CalStatus.Temporary));

    private static ReadOnlySpan<KeyValuePair<string, object?>> Tags(IssuedCal cal) =>
        new KeyValuePair<string, object?>[]
        {
            new("cal_type", Name(cal.Type)),
            new("version", (int)cal.Version),
        };

    public void Revoked(IssuedCal cal) => _revoked.Add(1, Tags(cal));

    public void Reclaimed(IssuedCal cal) => _reclaimed.Add(1, Tags(cal));

    /// <summary>Called after a write that changed seats or packs: the next scrape re-reads the levels.</summary>
    public void PoolsChanged() => Volatile.Write(ref _stale, 1);

    /// <summary>The current snapshot (for tests and diagnostics).</summary>
    public PoolLevels Levels()
    {
        lock (_gate)
        {
            // Seats also free themselves as time passes, so the snapshot is re-read at least once a minute.
            var now = _time.GetUtcNow();
            if (Interlocked.Exchange(ref _stale, 0) == 1 || now - _levelsReadAt > TimeSpan.FromMinutes(1))
            {
                try
                {
                    _levels = _store.ReadPoolLevelsAsync(now, CancellationToken.None).GetAwaiter().GetResult();
                    _levelsReadAt = now;
                }
                catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
                {
                    // A scrape before the database exists or while it is unreadable keeps the last snapshot.
                    Volatile.Write(ref _stale, 1);
                }
            }

            return _levels;
        }
    }

    /// <summary>Every version, zeros included, so an alert on the series sees 0 rather than no data.</summary>
    private IEnumerable<Measurement<int>> OverUsed()
    {
        var levels = Levels().OverUsed;
        foreach (var version in Enum.GetValues<ProductVersion>())
        {
            yield return new Measurement<int>(levels.FirstOrDefault(o => o.Version == version)?.Count ?? 0,
                new KeyValuePair<string, object?>("version", (int)version),
                new KeyValuePair<string, object?>("cal_type", Name(CalType.PerUser)));
        }
    }

    private static Measurement<int> Measure(int value, PoolLevel pool) =>
        new(value,
            new KeyValuePair<string, object?>("key_pack_id", pool.KeyPackId.ToString()),
            new KeyValuePair<string, object?>("version", (int)pool.Version),
            new KeyValuePair<string, object?>("cal_type", Name(pool.CalType)));

    private static string Name(CalType type) => type == CalType.PerDevice ? "per_device" : "per_user";
}
