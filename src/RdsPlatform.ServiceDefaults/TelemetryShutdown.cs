using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace RdsPlatform.ServiceDefaults;

/// <summary>
/// Flushes logs, metrics and traces once the service has stopped, within <see cref="Deadline"/> in all.
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
        // One after the other on this thread, each with a third of the deadline: a provider's Shutdown and the container's
        // later Dispose both walk and clear its instrumentation list, so a Shutdown still running elsewhere when the
        // container disposes the providers fails the disposal ("Collection was modified"). Shutdown honours its timeout
        // (the exporter's own thread may stay blocked on a hung collector; it is a background thread and holds nothing).
        var each = (int)(Deadline.TotalMilliseconds / 3);
        services.GetService<TracerProvider>()?.Shutdown(each);
        services.GetService<MeterProvider>()?.Shutdown(each);
        services.GetService<LoggerProvider>()?.Shutdown(each);
    }
}
