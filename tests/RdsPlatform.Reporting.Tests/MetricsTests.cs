using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.Reporting.Tests;

public class MetricsTests
{
    [Fact]
    public async Task EachStoredReportIsCountedByKindWithItsDuration()
    {
        await using var hosts = TestHosts.Start();
        var meters = hosts.ReportingServices.GetRequiredService<IMeterFactory>();
        using var generated = new MetricCollector<long>(meters, ReportingMetrics.MeterName, "rds.reports.generated");
        using var duration = new MetricCollector<double>(meters, ReportingMetrics.MeterName, "rds.reports.generation.duration");

        await hosts.Reporting.GenerateAsync(ReportKind.Summary);
        await hosts.Reporting.GenerateAsync(ReportKind.PerUser);
        await hosts.Reporting.GenerateAsync(ReportKind.PerUser);

        var counts = generated.GetMeasurementSnapshot();
        Assert.Equal(2, counts.Where(m => Equals(m.Tags["kind"], "per_user")).Sum(m => m.Value));
        Assert.Equal(1, counts.Where(m => Equals(m.Tags["kind"], "summary")).Sum(m => m.Value));
        Assert.Equal(3, duration.GetMeasurementSnapshot().Count);
    }
}
