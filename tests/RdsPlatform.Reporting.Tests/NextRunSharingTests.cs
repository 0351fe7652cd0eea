using RdsPlatform.Reporting.Generation;

namespace RdsPlatform.Reporting.Tests;

/// <summary>
/// Concurrent callers share one run per key, and never one that started before they asked: what lets fifty Summary
/// generations cost one read of the license server while each still sees the state as of its own call.
/// </summary>
public sealed class NextRunSharingTests
{
    [Fact]
    public async Task CallersArrivingDuringARunShareTheNextRunNotTheRunningOne()
    {
        var gates = new List<TaskCompletionSource<int>>();
        var sharing = new NextRunSharing<string, int>(_ =>
        {
            lock (gates)
            {
                gates.Add(new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously));
                return gates[^1].Task;
            }
        });

        var first = sharing.GetAsync("farm", CancellationToken.None);
        var second = sharing.GetAsync("farm", CancellationToken.None);
        var third = sharing.GetAsync("farm", CancellationToken.None);
        Assert.Single(gates);

        gates[0].SetResult(1);
        Assert.Equal(1, await first);
        await WaitUntilAsync(() => gates.Count == 2);
        var fourth = sharing.GetAsync("farm", CancellationToken.None);
        gates[1].SetResult(2);
        await WaitUntilAsync(() => gates.Count == 3);
        gates[2].SetResult(3);

        Assert.Equal((2, 2, 3), (await second, await third, await fourth));
        Assert.Equal(3, gates.Count);
    }

    [Fact]
    public async Task ACallerThatStopsWaitingLeavesTheSharedRunToTheOthers()
    {
        var running = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var sharing = new NextRunSharing<string, int>(_ => ++runs == 1 ? running.Task : Task.FromResult(7));
        using var impatient = new CancellationTokenSource();

        var blocking = sharing.GetAsync("farm", CancellationToken.None);
        var leaving = sharing.GetAsync("farm", impatient.Token);
        var staying = sharing.GetAsync("farm", CancellationToken.None);
        impatient.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        running.SetResult(1);

        Assert.Equal((1, 7), (await blocking, await staying));
        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task AFailedRunFailsItsCallersAndTheNextCallRunsAfresh()
    {
        var calls = 0;
        var sharing = new NextRunSharing<string, int>(_ => ++calls == 1
            ? Task.FromException<int>(new InvalidOperationException("license server unreachable"))
            : Task.FromResult(calls));

        await Assert.ThrowsAsync<InvalidOperationException>(() => sharing.GetAsync("farm", CancellationToken.None));

        Assert.Equal(2, await sharing.GetAsync("farm", CancellationToken.None));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        // The queued run starts on the thread that finished the previous one; wait for it without sleeping for long.
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(5);
        }

        Assert.True(condition());
    }
}
