using Microsoft.Extensions.Options;
using RdsPlatform.ServiceDefaults;
using RdsPlatform.SessionHost.Hosts;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>
/// Keeps every replica's view of session host settings current: announces a host this replica saved, forgets (so
/// re-reads) a host another replica announces, and re-reads every host each <c>Gateway:HostRefreshInterval</c>, which
/// bounds how long a replica serves old settings when a notice never arrives.
/// </summary>
public sealed partial class HostChangeListener(
    SessionHostStore hosts,
    IHostChangeNotices notices,
    IOptions<GatewayOptions> options,
    ILogger<HostChangeListener> logger) : BackgroundService
{
    /// <summary>Tells the other replicas that <paramref name="hostId"/>'s settings changed.</summary>
    public void Announce(string hostId) => notices.Announce(hostId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await notices.SubscribeAsync(hosts.Forget);
        // Operational time, not licensing time: the interval must pass even when the licensing clock is simulated.
        using var timer = new PeriodicTimer(options.Value.HostRefreshInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                hosts.Refresh();
            }
            catch (Exception ex) when (ex.FailsOnlyTheRound(stoppingToken))
            {
                // The database is away: the hosts held are served until it answers again.
                LogRefreshFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not re-read the session hosts from the database; serving the settings held until it answers")]
    private partial void LogRefreshFailed(Exception ex);
}
