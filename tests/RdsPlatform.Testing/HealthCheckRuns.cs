using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.ServiceDefaults.Health;

namespace RdsPlatform.Testing;

/// <summary>
/// A service host's <c>rds.health.checks</c> measurements from now on, by check name: how often each health check really
/// ran (a probe answered from the latest result is not counted). Only that host's meters (its meter factory) are heard.
/// </summary>
public sealed class HealthCheckRuns : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _runs = [];

    public HealthCheckRuns(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == HealthExtensions.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "check" && tag.Value is string check)
                {
                    lock (_runs)
                    {
                        _runs[check] = _runs.GetValueOrDefault(check) + value;
                    }
                }
            }
        });
        _listener.Start();
    }

    /// <summary>The runs of <paramref name="check"/> (a registration name, e.g. PostgreSql) counted so far.</summary>
    public long Of(string check)
    {
        lock (_runs)
        {
            return _runs.GetValueOrDefault(check);
        }
    }

    public override string ToString()
    {
        lock (_runs)
        {
            return string.Join(", ", _runs.Select(run => $"{run.Key} {run.Value}"));
        }
    }

    public void Dispose() => _listener.Dispose();
}
