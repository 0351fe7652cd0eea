using Microsoft.Extensions.Options;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>Forgets expired sessions held in process, on the revocation feed's interval (the shared cache expires its own).</summary>
public sealed class SessionSweep(SessionRegistry sessions, IOptions<GatewayOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Operational time, not licensing time: a session is not a licensing fact.
        using var timer = new PeriodicTimer(options.Value.RevocationPollInterval);
        do
        {
            sessions.Sweep();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
