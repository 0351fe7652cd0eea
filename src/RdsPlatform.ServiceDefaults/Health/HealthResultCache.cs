using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace RdsPlatform.ServiceDefaults.Health;

/// <summary>
/// The latest result of one health check, shared by every probe: the check runs when no result is younger than the
/// cache duration, one run at a time (probes that arrive meanwhile wait for that run), and a run that outlasts the
/// timeout counts as failed. So a storm of Health/Check calls costs the database one check per cache duration.
/// A change of the check's status is logged once, when a run sees it (a warning when it fails, with its reason, and
/// when it recovers), instead of an error for every probe that reads a failed result.
/// </summary>
internal sealed partial class HealthResultCache(string name, HealthOptions options, TimeProvider time, Counter<long> runs, ILogger logger)
{
    private readonly Lock _gate = new();
    private Task<HealthCheckResult>? _latest;
    private long _completedAt;
    private HealthStatus _lastStatus = HealthStatus.Healthy;
    private long _failingSince;

    public Task<HealthCheckResult> GetAsync(Func<IHealthCheck> create, HealthCheckContext context, CancellationToken cancellationToken)
    {
        TaskCompletionSource<HealthCheckResult>? run = null;
        Task<HealthCheckResult> latest;
        lock (_gate)
        {
            if (_latest is null || (_latest.IsCompleted && time.GetElapsedTime(Volatile.Read(ref _completedAt)) >= options.CacheDuration))
            {
                run = new TaskCompletionSource<HealthCheckResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                _latest = run.Task;
            }

            latest = _latest;
        }

        if (run is not null)
        {
            // Not tied to this probe's cancellation: the other probes are waiting for the same run.
            _ = CompleteAsync(run, create, context);
        }

        return latest.WaitAsync(cancellationToken);
    }

    private async Task CompleteAsync(TaskCompletionSource<HealthCheckResult> run, Func<IHealthCheck> create, HealthCheckContext context)
    {
        var result = await RunAsync(create, context);
        runs.Add(1, new KeyValuePair<string, object?>("check", name), new KeyValuePair<string, object?>("status", StatusName(result.Status)));
        Volatile.Write(ref _completedAt, time.GetTimestamp());
        // Runs are one at a time, so the last status is only ever read and written here.
        LogChange(result);
        run.SetResult(result);
    }

    private void LogChange(HealthCheckResult result)
    {
        var previous = _lastStatus;
        _lastStatus = result.Status;
        if (result.Status == previous)
        {
            return;
        }

        if (result.Status == HealthStatus.Healthy)
        {
            LogRecovered(name, time.GetElapsedTime(_failingSince));
            return;
        }

        if (previous == HealthStatus.Healthy)
        {
            _failingSince = time.GetTimestamp();
        }

        LogFailing(result.Exception, name, StatusName(result.Status), result.Description ?? result.Exception?.Message ?? "no reason given");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check {Check} is {Status}: {Reason}")]
    private partial void LogFailing(Exception? exception, string check, string status, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health check {Check} is healthy again after {Duration}")]
    private partial void LogRecovered(string check, TimeSpan duration);

    private async Task<HealthCheckResult> RunAsync(Func<IHealthCheck> create, HealthCheckContext context)
    {
        using var timeout = new CancellationTokenSource(options.CheckTimeout, time);
        var check = Task.Run(() => create().CheckHealthAsync(context, timeout.Token));
        try
        {
            // WaitAsync bounds a check that ignores its token (a driver waiting on a silent server): the answer is due now.
            return await check.WaitAsync(options.CheckTimeout, time);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && timeout.IsCancellationRequested))
        {
            // The check may still be running: tell it to stop, and observe whatever it ends with.
            await timeout.CancelAsync();
            _ = check.ContinueWith(static abandoned => abandoned.Exception, TaskScheduler.Default);
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"The check did not answer within {options.CheckTimeout.TotalSeconds:0.###} s (Health:CheckTimeout).");
        }
        catch (Exception e)
        {
            // As HealthCheckService does: a check that throws reports its failure status, it does not fail the probe.
            return new HealthCheckResult(context.Registration.FailureStatus, e.Message, e);
        }
    }

    private static string StatusName(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}

/// <summary>A registration's check as a probe sees it: the shared latest result of <see cref="HealthResultCache"/>.</summary>
internal sealed class CachedHealthCheck(HealthResultCache cache, Func<IHealthCheck> create) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        cache.GetAsync(create, context, cancellationToken);
}
