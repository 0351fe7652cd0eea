using Microsoft.Extensions.Options;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>
/// Initializes the store at start, then periodically reclaims seats of CALs that expired unrenewed (R6) so the audit
/// trail records it even when no write comes along. Seats are free at their expiry either way: counts read by time.
/// </summary>
public sealed partial class ReclaimSweeper(
    LicenseServerApplication app,
    LicenseServerIdentity identity,
    IOptions<LicenseServerOptions> options,
    ILogger<ReclaimSweeper> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Create or migrate the database before the first request, so a bad file fails the start, not a call.
        await identity.GetAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReclaimSweepInterval);
        do
        {
            try
            {
                while (await app.ReclaimExpiredSeatsAsync(stoppingToken) == LicenseServerApplication.ReclaimBatch)
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
