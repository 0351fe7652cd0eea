using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace RdsPlatform.ServiceDefaults;

/// <summary>
/// Flushes logs, metrics and traces once the service has stopped, all three at once and within <see cref="Deadline"/>.
/// Left to themselves the providers flush one after the other when the container is disposed, each waiting up to
/// 5 s for an OTLP export: against a collector that accepts connections and never answers, a service took 15 s to
/// exit and the orchestrator gave up on it. Telemetry not exported by the deadline is dropped; the service's own
/// work (requests in flight, the license server's group commit) has finished before this runs.
/// </summary>
internal sealed class TelemetryShutdown(IHostApplicationLifetime lifetime, IServiceProvider services) : IHostedService
{
    /// <summary>How long a stopping service gives its telemetry to leave; well inside the 5 s an orchestrator waits.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(1500);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopped fires after every hosted service (Kestrel included) has stopped, so the last spans and logs are in.
        lifetime.ApplicationStopped.Register(Flush);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Flush()
    {
        var milliseconds = (int)Deadline.TotalMilliseconds;
        var tracer = services.GetService<TracerProvider>();
        var meter = services.GetService<MeterProvider>();
        var logger = services.GetService<LoggerProvider>();
        // Threads of their own, not the thread pool: each Shutdown must have begun before the container disposes the
        // providers (a provider's Shutdown and Dispose both walk and clear its instrumentation list, and must not overlap),
        // and a starved pool under load could start a queued flush only after that.
        Thread[] flushes =
        [
            Start(() => tracer?.Shutdown(milliseconds)),
            Start(() => meter?.Shutdown(milliseconds)),
            Start(() => logger?.Shutdown(milliseconds)),
        ];

        // An exporter blocked on a hung collector does not return at its deadline; its threads are background threads and
        // do not hold the process, so waiting longer would only delay the exit.
        var until = Environment.TickCount64 + (long)(Deadline + TimeSpan.FromMilliseconds(250)).TotalMilliseconds;
        foreach (var flush in flushes)
        {
            flush.Join(TimeSpan.FromMilliseconds(Math.Max(0, until - Environment.TickCount64)));
        }
    }

    private static Thread Start(Action flush)
    {
        var thread = new Thread(() => flush()) { IsBackground = true, Name = "telemetry-shutdown" };
        thread.Start();
        return thread;
    }
}
