using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>
/// Counts failed authentications per remote address: a <see cref="PartitionedRateLimiter{TResource}"/> with one
/// <see cref="FailureWindowLimiter"/> per address, on the service's <see cref="TimeProvider"/>. Only failures reach
/// it (the API-key handler's challenge): a call with a valid key never touches it, so authenticated traffic from the
/// same address is not slowed. Memory is bounded by <see cref="AuthOptions.MaxTrackedAddresses"/>: beyond it new
/// addresses share one partition, and the partitioned limiter drops an address's limiter once it has been idle a while.
/// </summary>
public sealed class AuthFailureLimiter : IDisposable
{
    private const string Overflow = "(overflow)";

    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, FailureWindowLimiter> _tracked = new(StringComparer.Ordinal);
    private readonly PartitionedRateLimiter<string> _limiter;

    public AuthFailureLimiter(IOptions<AuthOptions> options, TimeProvider? time = null)
    {
        _options = options.Value;
        _time = time ?? TimeProvider.System;
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.Get(PartitionOf(address), Track));
    }

    public int TrackedAddresses => _tracked.Count;

    /// <summary>Records one failure; returns how long the address must wait when it is over the limit, else null.</summary>
    public TimeSpan? RecordFailure(string address)
    {
        using var lease = _limiter.AttemptAcquire(address);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _options.FailureWindow;
    }

    public void Dispose() => _limiter.Dispose();

    private string PartitionOf(string address) =>
        _tracked.ContainsKey(address) || _tracked.Count < _options.MaxTrackedAddresses ? address : Overflow;

    private FailureWindowLimiter Track(string partition)
    {
        var limiter = new FailureWindowLimiter(_options.FailureLimit, _options.FailureWindow, _time,
            disposed => _tracked.TryRemove(KeyValuePair.Create(partition, disposed)));
        _tracked[partition] = limiter;
        return limiter;
    }
}
