using System.Diagnostics.Metrics;

namespace RdsPlatform.Reporting;

/// <summary>Business metrics of the reporting service (meter <c>RdsPlatform.Reporting</c>).</summary>
public sealed class ReportingMetrics
{
    public const string MeterName = "RdsPlatform.Reporting";

    private readonly Counter<long> _generated;
    private readonly Histogram<double> _duration;

    public ReportingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _generated = meter.CreateCounter<long>("rds.reports.generated", unit: "{report}", description: "Report snapshots generated and stored.");
        _duration = meter.CreateHistogram<double>("rds.reports.generation.duration", unit: "s", description: "Time to generate and store one report snapshot.");
    }

    public void RecordGenerated(ReportKind kind, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("kind", KindTag(kind));
        _generated.Add(1, tag);
        _duration.Record(elapsed.TotalSeconds, tag);
    }

    private static string KindTag(ReportKind kind) => kind switch
    {
        ReportKind.PerUser => "per_user",
        ReportKind.PerDevice => "per_device",
        ReportKind.Summary => "summary",
        ReportKind.FailedPerUser => "failed_per_user",
        _ => "unspecified",
    };
}
