using RdsPlatform.Licensing;

namespace RdsPlatform.SessionHost.Connections;

// The state the gateway's replicas share, as the connection code needs it. Every member is best effort and never throws:
// without the shared store a replica still decides correctly from process memory and the license servers. The Redis
// implementations live in Cache/ (as eShop's RedisBasketRepository sits behind IBasketRepository).

/// <summary>Sessions beyond this process: what SignIn and Disconnect on any replica find.</summary>
public interface ISessionStore
{
    /// <summary>
    /// Stores a session's serialised state with an expiry. While another replica may take the client's next call, it
    /// completes once the store has it (true), or with false when the store did not answer within its timeout (the
    /// session then lives in this process until the write lands); otherwise the write leaves without a wait (false).
    /// </summary>
    Task<bool> SaveAsync(string sessionId, byte[] state, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>The state stored for a session and how long the store keeps it; null when unknown or the store does not answer.</summary>
    Task<StoredSession?> FindAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Removes a session after every save queued before it; false when it was not stored or the store does not answer.</summary>
    Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// Remembers for <paramref name="remember"/> that a session ended, so that a replica still holding it in process
    /// refuses it; completes once the store has it (or does not answer).
    /// </summary>
    Task MarkEndedAsync(string sessionId, TimeSpan remember, CancellationToken cancellationToken);

    /// <summary>True when a replica ended the session within the time it is remembered; false when not or the store does not answer.</summary>
    Task<bool> HasEndedAsync(string sessionId, CancellationToken cancellationToken);
}

/// <summary>A session's serialised state as stored, and the time left before the store lets it expire (null: no expiry known).</summary>
public sealed record StoredSession(byte[] State, TimeSpan? ExpiresIn);

/// <summary>The certificate bytes last handed to a device or user, for a client that lost them or a replica that never saw them.</summary>
public interface ITokenStateStore
{
    void Save(CalType type, string subject, byte[] certificate, TimeSpan lifetime);

    Task<byte[]?> FindAsync(CalType type, string subject, CancellationToken cancellationToken);
}

/// <summary>Revoked license ids shared by the replicas: a set for replicas that start later, a notice for those running now.</summary>
public interface IRevocationStore
{
    /// <summary>False while the store does not answer: what is learned meanwhile must be shared again once it does.</summary>
    bool IsAvailable { get; }

    /// <summary>Runs <paramref name="action"/> each time the store answers again after an outage.</summary>
    void WhenRestored(Action action);

    /// <summary>Adds one revoked id and tells the running replicas.</summary>
    void Share(Guid licenseId);

    /// <summary>Puts ids back in the set (after an outage or a store that restarted empty), without notices.</summary>
    void Restore(IReadOnlyCollection<Guid> licenseIds);

    Task<IReadOnlyList<Guid>> ReadAllAsync(CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="onShared"/> for every id another replica shares from now on.</summary>
    Task SubscribeAsync(Action<Guid> onShared);
}

/// <summary>Notices that a session host's settings changed, so that every replica reads them again.</summary>
public interface IHostChangeNotices
{
    void Announce(string hostId);

    Task SubscribeAsync(Action<string> onChanged);
}
