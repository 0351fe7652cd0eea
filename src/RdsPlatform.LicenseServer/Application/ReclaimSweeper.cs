using Microsoft.Extensions.Options;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>
/// Periodically reclaims seats of CALs that expired unrenewed (R6) so the audit trail records it even when no write
/// comes along. Seats are free at their expiry either way: counts read by time. Of several replicas on one database only
/// the holder of the <see cref="ILeaderLease"/> sweeps; the others ask for it every interval and so take over within one
/// interval of the holder's death. A sweep beside another would still be exact (each batch is a write under the store's
/// write lock), the lease only keeps replicas from repeating each other's work.
/// </summary>
public sealed partial class ReclaimSweeper(
    SeatReclaimer reclaimer,
    ILeaderLease lease,
    IOptions<LicenseServerOptions> options,
    ILogger<ReclaimSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReclaimSweepInterval);
        do
        {
            try
            {
                while (await lease.TryHoldAsync(stoppingToken) && await reclaimer.ReclaimExpiredSeatsAsync(stoppingToken) == SeatReclaimer.Batch)
                {
                }
            }
            catch (Exception ex) when (ex.FailsOnlyTheRound(stoppingToken))
            {
                LogSweepFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reclaiming expired seats failed; the next sweep retries")]
    private partial void LogSweepFailed(Exception exception);
}
