using Microsoft.Extensions.Options;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>
/// Periodically reclaims seats of CALs that expired unrenewed (R6) so the audit trail records it even when no write
/// comes along. Seats are free at their expiry either way: counts read by time.
/// </summary>
public sealed partial class ReclaimSweeper(
    SeatReclaimer reclaimer,
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
                while (await reclaimer.ReclaimExpiredSeatsAsync(stoppingToken) == SeatReclaimer.Batch)
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reclaiming expired seats failed; the next sweep retries")]
    private partial void LogSweepFailed(Exception exception);
}
