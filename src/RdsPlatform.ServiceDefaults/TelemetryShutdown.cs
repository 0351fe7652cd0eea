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
internal sealed class TelemetryShutdown : IHostedService, IDisposable
{
    /// <summary>How long a stopping service gives its telemetry to leave; well inside the 5 s an orchestrator waits.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(1500);

    private readonly IHostApplicationLifetime lifetime;
    private readonly TracerProvider? tracing;
    private readonly MeterProvider? metrics;
    private readonly LoggerProvider? logging;
    private readonly Lock gate = new();
    private bool disposed;

    public TelemetryShutdown(IHostApplicationLifetime lifetime, IServiceProvider services)
    {
        this.lifetime = lifetime;
        // Resolved here, before this object exists, so the container (which disposes in the reverse order of creation)
        // disposes this gate before any provider: Dispose below then waits out a flush still running on another thread.
        tracing = services.GetService<TracerProvider>();
        metrics = services.GetService<MeterProvider>();
        logging = services.GetService<LoggerProvider>();
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopped fires after every hosted service (Kestrel included) has stopped, so the last spans and logs are in.
        lifetime.ApplicationStopped.Register(Flush);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits for a flush in progress, and keeps one from starting once the providers are about to be disposed.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
        }
    }

    private void Flush()
    {
        // A provider's Shutdown and its Dispose both walk and clear its instrumentation list, so the two must never overlap
        // ("Collection was modified" at disposal otherwise, seen when a host was disposed while its stop was still running
        // elsewhere): the gate makes a flush and the providers' disposal take turns. One provider after the other, each
        // with a third of the deadline; Shutdown honours its timeout (an exporter blocked on a hung collector is a
        // background thread and holds nothing).
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            var each = (int)(Deadline.TotalMilliseconds / 3);
            tracing?.Shutdown(each);
            metrics?.Shutdown(each);
            logging?.Shutdown(each);
        }
    }
}
