namespace RdsPlatform.SessionHost.Hosts;

/// <summary>
/// Where session host settings are durable, one implementation per engine (SQLite, PostgreSQL), both proved by
/// SessionHostStoreContractTests. Host ids match without regard to case.
/// </summary>
public interface ISessionHostRepository
{
    /// <summary>
    /// Inserts the host with its grace period starting at <paramref name="now"/>, or updates its settings and
    /// configured time while keeping the grace start it has; returns the row as stored. Replicas saving the same new
    /// host at once all get the one grace start that was stored first.
    /// </summary>
    SessionHostSettings Save(SessionHostConfiguration configuration, DateTimeOffset now);

    SessionHostSettings? Load(string hostId);

    IReadOnlyList<SessionHostSettings> LoadAll();

    /// <summary>Up to <paramref name="take"/> hosts after <paramref name="afterHostId"/> in case-insensitive host id order, and how many exist.</summary>
    (IReadOnlyList<SessionHostSettings> Hosts, int Total) Page(string? afterHostId, int take);
}
