using System.Diagnostics;
using Grpc.Core;

namespace RdsPlatform.LoadTest.Load;

/// <summary>One call of a scenario; returns the outcome to count (for example a reason code), or null.</summary>
public delegate Task<string?> ScenarioCall(long requestNumber, CallOptions options);

/// <summary>A load scenario: the RPC it drives, and how to call it on one channel.</summary>
public interface IScenario
{
    string Name { get; }

    /// <summary>Full method name as ghz's <c>call</c> writes it, for example <c>grpc.health.v1.Health.Check</c>.</summary>
    string Call { get; }

    ScenarioCall CreateCall(Grpc.Net.Client.GrpcChannel channel);
}

/// <summary>How hard and how long to drive a scenario. Exactly one of <see cref="Total"/> and <see cref="Duration"/> bounds the run.</summary>
public sealed record LoadSettings(int Concurrency, long? Total, TimeSpan? Duration, TimeSpan CallTimeout)
{
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(20);
}

/// <summary>The merged recording of one run and how long it took from the first call to the last answer.</summary>
public sealed record LoadResult(CallRecorder Calls, TimeSpan Elapsed, long NextRequestNumber);

/// <summary>
/// Fixed concurrency: <see cref="LoadSettings.Concurrency"/> workers, each with one call in flight, spread over the
/// channel pool; a worker starts its next call as soon as the previous one answers (closed loop, like ghz).
/// </summary>
public static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(
        IScenario scenario, ChannelPool pool, LoadSettings settings, long firstRequestNumber, CancellationToken cancellationToken)
    {
        if (settings.Total is null == settings.Duration is null)
        {
            throw new ArgumentException("Bound the run by a total count or by a duration, not both and not neither.", nameof(settings));
        }

        var calls = Enumerable.Range(0, pool.Count).Select(i => scenario.CreateCall(pool[i])).ToArray();
        var next = firstRequestNumber - 1;
        var last = settings.Total is { } total ? firstRequestNumber + total : long.MaxValue;
        var started = Stopwatch.GetTimestamp();
        var stopAt = settings.Duration is { } duration ? started + (long)(duration.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;

        async Task<CallRecorder> WorkerAsync(int worker)
        {
            var recorder = new CallRecorder();
            var call = calls[worker % calls.Length];
            // Yield at once so that workers start together instead of one after another on the caller's thread.
            await Task.Yield();
            while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < stopAt)
            {
                var number = Interlocked.Increment(ref next);
                if (number >= last)
                {
                    break;
                }

                var options = new CallOptions(pool.Headers, DateTime.UtcNow + settings.CallTimeout, cancellationToken);
                var callStarted = Stopwatch.GetTimestamp();
                try
                {
                    var outcome = await call(number, options).ConfigureAwait(false);
                    recorder.RecordSuccess(CallRecorder.Since(callStarted), outcome);
                }
                catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
                {
                    recorder.RecordFailure(CallRecorder.Since(callStarted), ex.StatusCode, ex.Status.Detail);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    recorder.RecordFailure(CallRecorder.Since(callStarted), StatusCode.Unknown, ex.Message);
                }
            }

            return recorder;
        }

        var recorders = await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(WorkerAsync));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var merged = new CallRecorder();
        foreach (var recorder in recorders)
        {
            merged.Merge(recorder);
        }

        // `next` is the last number claimed (used, or refused at the bound), so the following run starts after it.
        return new LoadResult(merged, elapsed, Math.Min(Interlocked.Read(ref next) + 1, last));
    }
}
