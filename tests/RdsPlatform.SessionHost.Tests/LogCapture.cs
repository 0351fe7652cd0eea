using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>A log record as the OpenTelemetry pipeline exported it: its category, level and structured attributes.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, IReadOnlyDictionary<string, object?> Attributes);

/// <summary>
/// The OpenTelemetry in-memory log exporter of a service under test. Records are copied as they are exported (the SDK
/// reuses its LogRecord objects), and the capture outlives restarts of the service it is added to.
/// </summary>
public sealed class LogCapture : Collection<LogRecord>
{
    private readonly ConcurrentQueue<CapturedLog> _logs = new();

    public IReadOnlyList<CapturedLog> Logs => _logs.ToList();

    public void AddTo(IServiceCollection services) => services.AddOpenTelemetry().WithLogging(logging => logging.AddInMemoryExporter(this));

    protected override void InsertItem(int index, LogRecord item) =>
        _logs.Enqueue(new CapturedLog(item.CategoryName ?? "", item.LogLevel,
            (item.Attributes ?? []).GroupBy(a => a.Key).ToDictionary(g => g.Key, g => g.Last().Value)));
}
