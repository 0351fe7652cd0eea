using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.Testing;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>The background sweep survives its failures: only the host stopping ends it.</summary>
public sealed class ReclaimSweeperTests
{
    [Fact]
    public async Task ACancellationThatIsNotTheHostStoppingFailsOneSweepAndTheNextSweepRuns()
    {
        var lease = new LeaseThatTimesOutOnce();
        // The lease refuses from its second call on, so the reclaimer itself is never reached.
        using var sweeper = new ReclaimSweeper(null!, lease,
            Options.Create(new LicenseServerOptions { ReclaimSweepInterval = TimeSpan.FromMilliseconds(20) }), NullLogger<ReclaimSweeper>.Instance);

        await sweeper.StartAsync(CancellationToken.None);

        await BackgroundLoops.RunsPastTheFailureAsync(sweeper, lease.AskedAgain.Task);
    }

    private sealed class LeaseThatTimesOutOnce : ILeaderLease
    {
        private int _calls;

        public TaskCompletionSource AskedAgain { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsHeld => false;

        public ValueTask<bool> TryHoldAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                // As a database call cancelled by its own timeout throws, while the host is not stopping.
                throw new TaskCanceledException("The lease query timed out.");
            }

            AskedAgain.TrySetResult();
            return ValueTask.FromResult(false);
        }
    }
}
