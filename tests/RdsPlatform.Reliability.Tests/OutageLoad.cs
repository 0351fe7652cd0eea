using System.Collections.Concurrent;
using Grpc.Core;

namespace RdsPlatform.Reliability.Tests;

/// <summary>
/// Callers that keep calling through an outage: every answer is recorded as acknowledged (a promise the store must keep),
/// every failure with its status and sentence, so a test can say what callers saw while a dependency was down.
/// </summary>
public sealed class OutageLoad
{
    private readonly ConcurrentQueue<string> _acknowledged = new();
    private readonly ConcurrentQueue<(StatusCode Status, string Detail)> _failures = new();
    private readonly CancellationTokenSource _stop = new();
    private List<Task> _workers = [];

    public int AcknowledgedCount => _acknowledged.Count;

    public IReadOnlyList<string> Acknowledged => _acknowledged.ToList();

    public int FailureCount => _failures.Count;

    public IReadOnlyList<(StatusCode Status, string Detail)> Failures => _failures.ToList();

    /// <summary>Starts the workers; <paramref name="call"/> makes one call (worker, sequence) and returns the key it acknowledged.</summary>
    public void Start(int workers, Func<int, int, Task<string>> call)
    {
        _workers = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                try
                {
                    _acknowledged.Enqueue(await call(w, i));
                }
                catch (RpcException ex)
                {
                    _failures.Enqueue((ex.StatusCode, ex.Status.Detail));
                    // A caller that was told to come back does so after a moment, as a client's retry policy would.
                    await Task.Delay(50);
                }
            }
        })).ToList();
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(60));
    }
}
