using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using GatewayClient = RdsPlatform.Contracts.SessionHost.V1.SessionHostGateway.SessionHostGatewayClient;

namespace RdsPlatform.Reliability.Tests;

/// <summary>One planned connection: where it goes, what it presents, and the decision it must get.</summary>
public sealed record PlannedConnect(GatewayClient Gateway, ConnectRequest Request, ReasonCode Expected);

/// <summary>
/// Workers that keep connecting until stopped, each call with its own client deadline; records every answer, error,
/// unexpected decision and the longest call, so a test can inject faults between counts of calls.
/// </summary>
public sealed class ConnectLoad(TimeSpan deadline, TimeSpan pause = default)
{
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly ConcurrentQueue<StatusCode> _errors = new();
    private readonly ConcurrentDictionary<ReasonCode, int> _reasons = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private int _calls;
    private long _longestTicks;

    public TimeSpan Deadline => deadline;

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyList<string> Unexpected => _unexpected.ToList();

    public IReadOnlyList<StatusCode> Errors => _errors.ToList();

    public TimeSpan Longest => TimeSpan.FromTicks(Interlocked.Read(ref _longestTicks));

    public string Reasons => string.Join(", ", _reasons.OrderBy(r => r.Key).Select(r => $"{r.Key}={r.Value}"));

    public void Start(int workers, Func<int, int, PlannedConnect> plan)
    {
        for (var w = 0; w < workers; w++)
        {
            var worker = w;
            _workers.Add(Task.Run(() => WorkerAsync(worker, plan)));
        }
    }

    /// <summary>Waits (bounded) until this many more calls were answered, and at least <paramref name="atLeast"/> passed.</summary>
    public async Task ContinueForAsync(int calls, TimeSpan atLeast = default)
    {
        var target = Calls + calls;
        var started = Stopwatch.StartNew();
        await Poll.UntilAsync(() => Task.FromResult((Calls >= target && started.Elapsed >= atLeast) || _workers.Any(t => t.IsFaulted)),
            TimeSpan.FromSeconds(90) + atLeast, $"The load did not reach {target} calls.");
        await Task.WhenAll(_workers.Where(t => t.IsFaulted));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers).WaitAsync(deadline + TimeSpan.FromSeconds(30));
    }

    private async Task WorkerAsync(int worker, Func<int, int, PlannedConnect> plan)
    {
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var next = plan(worker, i);
            var stopwatch = Stopwatch.StartNew();
            try
            {
                var response = await next.Gateway.ConnectAsync(next.Request, deadline: DateTime.UtcNow + deadline);
                _reasons.AddOrUpdate(response.Reason, 1, (_, n) => n + 1);
                if (response.Reason != next.Expected)
                {
                    _unexpected.Enqueue($"{next.Request.Device.HardwareId}@{next.Request.HostId}: {response.Reason} ({response.Message}); expected {next.Expected}");
                }
            }
            catch (RpcException ex)
            {
                _errors.Enqueue(ex.StatusCode);
                _unexpected.Enqueue($"{next.Request.Device.HardwareId}@{next.Request.HostId}: {ex.Status}");
            }

            var ticks = stopwatch.Elapsed.Ticks;
            var longest = Interlocked.Read(ref _longestTicks);
            while (ticks > longest && Interlocked.CompareExchange(ref _longestTicks, ticks, longest) != longest)
            {
                longest = Interlocked.Read(ref _longestTicks);
            }

            Interlocked.Increment(ref _calls);
            if (pause > TimeSpan.Zero)
            {
                // A paced load: the machine is shared with the services under test.
                await Task.Delay(pause);
            }
        }
    }
}
