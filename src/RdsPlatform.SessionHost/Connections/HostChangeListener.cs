using RdsPlatform.SessionHost.Hosts;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>
/// Keeps every replica's view of session host settings current: announces a host this replica saved, and forgets (so
/// re-reads) a host another replica announces.
/// </summary>
public sealed class HostChangeListener(SessionHostStore hosts, IHostChangeNotices notices) : BackgroundService
{
    /// <summary>Tells the other replicas that <paramref name="hostId"/>'s settings changed.</summary>
    public void Announce(string hostId) => notices.Announce(hostId);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => notices.SubscribeAsync(hosts.Forget);
}
