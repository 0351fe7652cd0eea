using Microsoft.Extensions.Hosting;
using Xunit;

namespace RdsPlatform.Testing;

/// <summary>Checks of a background loop that must survive its failures (<c>BackgroundRounds</c>).</summary>
public static class BackgroundLoops
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The started service reaches <paramref name="nextRound"/> (a round after the one that failed) while still running,
    /// then stops without a fault: cancelled on its stopping token, as a BackgroundService ends.
    /// </summary>
    public static async Task RunsPastTheFailureAsync(BackgroundService service, Task nextRound)
    {
        var first = await Task.WhenAny(nextRound, service.ExecuteTask!).WaitAsync(Patience);
        Assert.True(first == nextRound, $"The service ended after the failure ({service.ExecuteTask!.Status}): {service.ExecuteTask.Exception?.InnerException?.Message}");
        Assert.False(service.ExecuteTask!.IsCompleted);

        await service.StopAsync(CancellationToken.None);
        Assert.False(service.ExecuteTask.IsFaulted);
    }
}
