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
        Task[] flushes =
        [
            Task.Run(() => tracer?.Shutdown(milliseconds)),
            Task.Run(() => meter?.Shutdown(milliseconds)),
            Task.Run(() => logger?.Shutdown(milliseconds)),
        ];

        // An exporter blocked on a hung collector does not return at its deadline; its export thread is a background
        // thread and does not hold the process, so waiting longer would only delay the exit.
        Task.WaitAll(flushes, Deadline + TimeSpan.FromMilliseconds(250));
    }
}
