using System.Collections.Concurrent;

namespace RdsPlatform.SessionHost.Hosts;

/// <summary>
/// Session host settings: durable in the gateway's database (<see cref="ISessionHostRepository"/>), served from memory
/// on the hot path. The grace-period start is written at first registration only; reconfiguring never moves it.
/// </summary>
public sealed class SessionHostStore
{
    private readonly ISessionHostRepository _repository;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, SessionHostSettings> _hosts = new(StringComparer.OrdinalIgnoreCase);

    public SessionHostStore(ISessionHostRepository repository, TimeProvider time)
    {
        _repository = repository;
        _time = time;
        foreach (var host in repository.LoadAll())
        {
            _hosts[host.HostId] = host;
        }
    }

    public IEnumerable<SessionHostSettings> All => _hosts.Values;

    public SessionHostSettings? Find(string hostId)
    {
        if (_hosts.TryGetValue(hostId, out var host))
        {
            return host;
        }

        // Another process sharing the database may have registered it.
        host = _repository.Load(hostId);
        if (host is not null)
        {
            _hosts[host.HostId] = host;
        }

        return host;
    }

    /// <summary>
    /// Re-reads the hosts held here from the database, so what another replica changed is served here even when its
    /// notice was lost (no cache, the cache down, or pub/sub's at-most-once delivery). Only copies still held are replaced,
    /// and never by a row configured earlier: a host forgotten meanwhile (a notice) or saved here while the rows were
    /// being read keeps the fresher copy; a host not held is read on its first use, as before.
    /// </summary>
    public void Refresh()
    {
        foreach (var stored in _repository.LoadAll())
        {
            if (_hosts.TryGetValue(stored.HostId, out var held) && stored.ConfiguredAt >= held.ConfiguredAt)
            {
                _hosts.TryUpdate(held.HostId, stored, held);
            }
        }
    }

    /// <summary>Drops the in-memory copy so the next read comes from the database (another replica changed it).</summary>
    public void Forget(string hostId) => _hosts.TryRemove(hostId, out _);

    public SessionHostSettings Save(SessionHostConfiguration configuration)
    {
        var saved = _repository.Save(configuration, _time.GetUtcNow());
        _hosts[saved.HostId] = saved;
        return saved;
    }

    /// <summary>
    /// Up to <paramref name="take"/> hosts after <paramref name="afterHostId"/> in host id order, and how many are registered.
    /// Read from the database, not memory, so hosts another replica registered are listed too.
    /// </summary>
    public (IReadOnlyList<SessionHostSettings> Hosts, int Total) Page(string? afterHostId, int take) => _repository.Page(afterHostId, take);
}
