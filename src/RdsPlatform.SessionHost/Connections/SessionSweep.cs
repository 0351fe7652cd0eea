using Microsoft.Extensions.Options;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>Forgets expired sessions held in process, on the revocation feed's interval (the shared cache expires its own).</summary>
public sealed partial class SessionSweep(SessionRegistry sessions, IOptions<GatewayOptions> options, ILogger<SessionSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Operational time, not licensing time: a session is not a licensing fact.
        using var timer = new PeriodicTimer(options.Value.RevocationPollInterval);
        do
        {
            try
            {
                sessions.Sweep();
            }
            catch (Exception ex) when (ex.FailsOnlyTheRound(stoppingToken))
            {
                // A sweep that failed leaves expired sessions for the next one; a loop that stopped would keep them all.
                LogSweepFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping expired sessions failed; the next sweep runs after the revocation poll interval")]
    private partial void LogSweepFailed(Exception exception);
}
