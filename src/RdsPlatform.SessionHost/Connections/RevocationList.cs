using System.Collections.Concurrent;
using RdsPlatform.Licensing;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>
/// License ids revoked on any license server, held in process so that checking a certificate needs no network call.
/// Replicas share what they learn through the <see cref="IRevocationStore"/> (a set for replicas that start later, a notice
/// for those running now).
/// </summary>
public sealed class RevocationList(IRevocationStore shared) : IRevocationList
{
    private readonly ConcurrentDictionary<Guid, byte> _revoked = new();

    // Learned while the store was away: shared when it is back, or replicas that rely on it would never hear of them.
    private readonly ConcurrentQueue<Guid> _unshared = new();

    public int Count => _revoked.Count;

    public bool IsRevoked(Guid licenseId) => _revoked.ContainsKey(licenseId);

    /// <summary>Records a revocation learned here and tells the other replicas.</summary>
    public void Add(Guid licenseId)
    {
        if (_revoked.TryAdd(licenseId, 0))
        {
            Share(licenseId);
        }
    }

    /// <summary>Records a revocation another replica shared.</summary>
    public void Observe(Guid licenseId) => _revoked.TryAdd(licenseId, 0);

    /// <summary>Follows what the other replicas share from now on, and reads what they shared before.</summary>
    public async Task LoadSharedAsync(CancellationToken cancellationToken)
    {
        shared.WhenRestored(() => _ = ReshareAsync());
        await shared.SubscribeAsync(Observe);
        await ReadSharedAsync(cancellationToken);
    }

    private void Share(Guid licenseId)
    {
        if (!shared.IsAvailable)
        {
            _unshared.Enqueue(licenseId);
            return;
        }

        shared.Share(licenseId);
    }

    /// <summary>
    /// After an outage of the store (or a store that restarted empty): puts every known revocation back, shares the ones
    /// learned meanwhile, and reads what the other replicas shared while this one was cut off.
    /// </summary>
    private async Task ReshareAsync()
    {
        shared.Restore(_revoked.Keys.ToArray());
        for (var pending = _unshared.Count; pending > 0 && _unshared.TryDequeue(out var licenseId); pending--)
        {
            Share(licenseId);
        }

        await ReadSharedAsync(CancellationToken.None);
    }

    private async Task ReadSharedAsync(CancellationToken cancellationToken)
    {
        foreach (var licenseId in await shared.ReadAllAsync(cancellationToken))
        {
            Observe(licenseId);
        }
    }
}
