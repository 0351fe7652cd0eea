using System.Diagnostics;
using Grpc.Core;

namespace RdsPlatform.AppHost.Tests;

/// <summary>
/// Running is not listening: the dashboard shows a process Running once it started, before it listens, so a call right
/// after a start or a restart may meet Unavailable for a moment.
/// </summary>
public static class UntilListening
{
    /// <summary><paramref name="call"/>, again every 200 ms while it meets Unavailable, for up to 30 s.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await call();
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && stopwatch.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(200);
            }
        }
    }
}
