namespace RdsPlatform.LicenseServer.Application;

/// <summary>
/// The lease that lets one license-server replica at a time do the background work every replica is able to do (the
/// reclaim sweep): a replica asks before each round of work, and the holder keeps it until it stops or dies, when the
/// next replica to ask takes it over. One process (SQLite, a file no other replica shares) always holds it.
/// </summary>
public interface ILeaderLease
{
    /// <summary>
    /// True when this process holds the lease now (taking it when it is free); false while another replica holds it.
    /// Never throws for a lost database: a replica that cannot reach the lock does no shared work until it can.
    /// </summary>
    ValueTask<bool> TryHoldAsync(CancellationToken cancellationToken);

    /// <summary>Whether this process held the lease when it last asked (no database round trip; for metrics and logs).</summary>
    bool IsHeld { get; }
}

/// <summary>The lease of a license server alone on its SQLite file: nothing to share, so it always holds it.</summary>
public sealed class SingleProcessLease : ILeaderLease
{
    public ValueTask<bool> TryHoldAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

    public bool IsHeld => true;
}
