using System.Threading.RateLimiting;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>
/// The rate limiter of one partition (one remote address) of the <see cref="AuthFailureLimiter"/>: a permit is one
/// failed authentication. Up to the limit within a window are granted; the one after is refused, and so is every
/// further one until a whole window has passed since. Time is read from a <see cref="TimeProvider"/>, because the
/// framework's own window limiters read the stopwatch and accept none (dotnet/runtime#106447): so the service's
/// clock, simulated in tests, decides when a window ends.
/// </summary>
internal sealed class FailureWindowLimiter(int limit, TimeSpan window, TimeProvider time, Action<FailureWindowLimiter> disposed) : RateLimiter
{
    private static readonly RateLimitLease Granted = new Lease(null);

    private readonly Lock _lock = new();
    private DateTimeOffset _start = time.GetUtcNow();
    private DateTimeOffset? _blockedUntil;
    private int _count;
    private long _granted;
    private long _refused;

    /// <summary>How long since the last window (or refusal period) ended; the partitioned limiter drops a limiter idle long enough.</summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                var quietSince = _blockedUntil ?? _start + window;
                var now = time.GetUtcNow();
                return now >= quietSince ? now - quietSince : null;
            }
        }
    }

    public override RateLimiterStatistics GetStatistics()
    {
        lock (_lock)
        {
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _blockedUntil is null ? Math.Max(0, limit - _count) : 0,
                TotalSuccessfulLeases = _granted,
                TotalFailedLeases = _refused,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_blockedUntil is { } blocked && now < blocked)
            {
                _refused++;
                return new Lease(blocked - now);
            }

            if (_blockedUntil is not null || now - _start > window)
            {
                _blockedUntil = null;
                _start = now;
                _count = 0;
            }

            _count += permitCount;
            if (_count > limit)
            {
                _blockedUntil = now + window;
                _refused++;
                return new Lease(window);
            }

            _granted++;
            return Granted;
        }
    }

    // No queue: a failure is counted (or refused) at once.
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    protected override void Dispose(bool disposing)
    {
        disposed(this);
        base.Dispose(disposing);
    }

    /// <summary>A granted lease, or a refused one that says how long to wait (<see cref="MetadataName.RetryAfter"/>).</summary>
    private sealed class Lease(TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => retryAfter is null;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
