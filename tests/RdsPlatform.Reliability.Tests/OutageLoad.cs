using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using RdsPlatform.Testing;

namespace RdsPlatform.Reliability.Tests;

/// <summary>One refused call: which worker made it, what it was told, and how long the answer took.</summary>
public sealed record OutageFailure(int Worker, StatusCode Status, string Detail, TimeSpan Took);

/// <summary>
/// Callers that keep calling through an outage: every answer is recorded as acknowledged (a promise the store must keep),
/// every failure with its status and sentence, so a test can say what callers saw while a dependency was down.
/// </summary>
public sealed class OutageLoad
{
    /// <summary>What a service says when its PostgreSQL server does not answer.</summary>
    public const string DatabaseSentence = "cannot use its database right now";

    private readonly ConcurrentQueue<(int Worker, string Key)> _acknowledged = new();
    private readonly ConcurrentQueue<OutageFailure> _failures = new();
    private readonly CancellationTokenSource _stop = new();
    private List<Task> _workers = [];

    public int AcknowledgedCount => _acknowledged.Count;

    public IReadOnlyList<string> Acknowledged => _acknowledged.Select(a => a.Key).ToList();

    public int FailureCount => _failures.Count;

    public IReadOnlyList<OutageFailure> Failures => _failures.ToList();

    /// <summary>Starts the workers; <paramref name="call"/> makes one call (worker, sequence) and returns the key it acknowledged.</summary>
    public void Start(int workers, Func<int, int, Task<string>> call)
    {
        _workers = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                var took = Stopwatch.StartNew();
                try
                {
                    _acknowledged.Enqueue((w, await call(w, i)));
                }
                catch (RpcException ex)
                {
                    _failures.Enqueue(new OutageFailure(w, ex.StatusCode, ex.Status.Detail, took.Elapsed));
                    // A caller that was told to come back does so after a moment, as a client's retry policy would.
                    await Task.Delay(50);
                }
            }
        })).ToList();
    }

    /// <summary>How many calls of the workers <paramref name="worker"/> selects were acknowledged after the first <paramref name="skip"/>.</summary>
    public int AcknowledgedAfter(int skip, Func<int, bool> worker) => _acknowledged.Skip(skip).Count(a => worker(a.Worker));

    /// <summary>
    /// Lets the load run, stops the server, waits until callers have been refused a while, starts it again and waits until
    /// calls are acknowledged again (by default 40 more; <paramref name="recovered"/>, given how many were acknowledged
    /// when the server came back, can ask for more), then stops the load. Asserts every failure was UNAVAILABLE with the
    /// database sentence. Returns a summary.
    /// </summary>
    public async Task<string> RunThroughOutageAsync(PostgresServer server, Func<int, bool>? recovered = null)
    {
        await Poll.UntilAsync(() => Task.FromResult(AcknowledgedCount >= 40), TimeSpan.FromSeconds(60), "The load never got going.");
        server.StopServer();
        var failuresAtStop = FailureCount;
        await Poll.UntilAsync(() => Task.FromResult(FailureCount >= failuresAtStop + 20), TimeSpan.FromSeconds(60),
            "No call failed while the database server was stopped.");
        var acknowledgedWhileDown = AcknowledgedCount;
        await server.StartServerAsync();
        recovered ??= _ => AcknowledgedCount >= acknowledgedWhileDown + 40;
        var back = await Poll.UntilAsync(() => Task.FromResult(recovered(acknowledgedWhileDown)), TimeSpan.FromSeconds(60),
            "The service did not recover by itself after the database server came back.");
        await StopAsync();

        Assert.All(Failures, failure =>
        {
            Assert.Equal(StatusCode.Unavailable, failure.Status);
            Assert.Contains(DatabaseSentence, failure.Detail, StringComparison.Ordinal);
        });
        return $"{FailureCount} calls answered UNAVAILABLE while the server was down (\"{Failures[0].Detail}\"), the slowest in " +
            $"{Failures.Max(f => f.Took).TotalMilliseconds:0} ms; calls acknowledged again {back.TotalMilliseconds:0} ms after it was back.";
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(60));
    }
}
