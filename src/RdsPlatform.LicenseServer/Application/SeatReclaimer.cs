using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.LicenseServer.Telemetry;
using RdsPlatform.Licensing;
using static RdsPlatform.LicenseServer.Application.ApplicationText;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>
/// Reclaims and audits the seats of CALs that expired unrenewed (R6): inside the writes that change seats, at most once per
/// <see cref="ReclaimEvery"/> of the clock, and in the background sweep until none is left. Seats are free at their expiry
/// either way (counts are read by time); reclaiming only records it, so a reclaim skipped or rolled back is caught up later.
/// </summary>
public sealed partial class SeatReclaimer(
    ILicenseWriter writer,
    TimeProvider time,
    LicenseServerMetrics metrics,
    PoolChangeSignal pools,
    ILogger<SeatReclaimer> logger)
{
    /// <summary>Expired seats reclaimed per write at most, so one write never pays for a long backlog (the sweep catches up).</summary>
    internal const int Batch = 500;

    /// <summary>Writes within this much clock time of the last reclaim skip it: one reclaim serves a burst of writes (a group commit).</summary>
    internal static readonly TimeSpan ReclaimEvery = TimeSpan.FromSeconds(1);

    private long _lastReclaimTicks;

    /// <summary>Reclaims one batch in a write of its own; returns how many were reclaimed (the sweep calls it until fewer than a batch).</summary>
    public Task<int> ReclaimExpiredSeatsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return writer.WriteAsync(session => Reclaim(session, now), cancellationToken);
    }

    /// <summary>Reclaims inside <paramref name="session"/> unless another write did within <see cref="ReclaimEvery"/> before <paramref name="now"/>.</summary>
    public void ReclaimIfDue(ILicenseWriteSession session, DateTimeOffset now)
    {
        var last = Interlocked.Read(ref _lastReclaimTicks);
        var due = now.UtcTicks < last || now.UtcTicks - last >= ReclaimEvery.Ticks;
        if (due && Interlocked.CompareExchange(ref _lastReclaimTicks, now.UtcTicks, last) == last)
        {
            Reclaim(session, now);
        }
    }

    private int Reclaim(ILicenseWriteSession session, DateTimeOffset now)
    {
        var reclaimed = session.ReclaimExpiredSeats(now, Batch);
        foreach (var license in reclaimed)
        {
            var cal = license.Cal;
            session.AfterCommit(() => metrics.Reclaimed(cal));
            session.Append(Audit(now, AuditEventType.LicenseReclaimed,
                $"The {VersionCompatibility.CalName(cal.Version)} {Describe(cal.Type)} license of {cal.Subject} expired unrenewed; its seat went back to key pack {cal.KeyPackId}.",
                ReasonCode.CalExpired, license));
        }

        if (reclaimed.Count > 0)
        {
            var count = reclaimed.Count;
            session.AfterCommit(() =>
            {
                pools.PoolsChanged();
                LogReclaimed(count);
            });
        }

        return reclaimed.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reclaimed {Count} expired seats")]
    private partial void LogReclaimed(int count);
}
