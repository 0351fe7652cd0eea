using System.Text.Json;
using Grpc.Core;
using RdsPlatform.LoadTest.Load;
using RdsPlatform.LoadTest.Summary;

namespace RdsPlatform.LoadTest.Tests;

public sealed class SummaryTests
{
    private static LoadSummary Summarize(CallRecorder calls, TimeSpan elapsed) =>
        LoadSummary.From("test", "grpc.health.v1.Health.Check", "http://127.0.0.1:1/", 4, 1, new LoadResult(calls, elapsed, 0));

    /// <summary>1..1000 ms once each: every percentile is known exactly (within HdrHistogram's 3 significant digits).</summary>
    private static CallRecorder OneToAThousandMilliseconds()
    {
        var calls = new CallRecorder();
        for (var ms = 1; ms <= 1000; ms++)
        {
            calls.RecordSuccess(TimeSpan.FromMilliseconds(ms), "Serving");
        }

        return calls;
    }

    [Fact]
    public void PercentilesMinMaxAndMeanComeFromTheRecordedLatencies()
    {
        var summary = Summarize(OneToAThousandMilliseconds(), TimeSpan.FromSeconds(2));

        Assert.Equal(1000, summary.Count);
        Assert.Equal(500, summary.RequestsPerSecond, 6);
        Assert.Equal(1, summary.Fastest.TotalMilliseconds, 3);
        Assert.Equal(1000, summary.Slowest.TotalMilliseconds, 3);
        Assert.Equal(500.5, summary.Average.TotalMilliseconds, 3);
        Assert.InRange(summary.PercentileLatency(50).TotalMilliseconds, 499.5, 500.5);
        Assert.InRange(summary.PercentileLatency(90).TotalMilliseconds, 899.5, 900.5);
        Assert.InRange(summary.PercentileLatency(99).TotalMilliseconds, 989.5, 990.5);
        Assert.InRange(summary.PercentileLatency(99.9).TotalMilliseconds, 998.5, 999.5);
    }

    [Fact]
    public void ErrorsAreCountedByStatusCodeAndMessage()
    {
        var calls = new CallRecorder();
        calls.RecordSuccess(TimeSpan.FromMilliseconds(1), "VALID_CAL");
        calls.RecordSuccess(TimeSpan.FromMilliseconds(1), "DENIED NO_LICENSES_AVAILABLE");
        calls.RecordFailure(TimeSpan.FromMilliseconds(2), StatusCode.Unavailable, "down");
        calls.RecordFailure(TimeSpan.FromMilliseconds(2), StatusCode.Unavailable, "down");
        calls.RecordFailure(TimeSpan.FromMilliseconds(3), StatusCode.DeadlineExceeded, "slow");

        var summary = Summarize(calls, TimeSpan.FromSeconds(1));

        Assert.Equal(5, summary.Count);
        Assert.Equal(3, summary.Errors);
        Assert.Equal(2, summary.StatusCodeDistribution["OK"]);
        Assert.Equal(2, summary.StatusCodeDistribution["Unavailable"]);
        Assert.Equal(1, summary.StatusCodeDistribution["DeadlineExceeded"]);
        Assert.Equal(2, summary.ErrorDistribution["rpc error: code = Unavailable desc = down"]);
        Assert.Equal(1, summary.OutcomeDistribution["DENIED NO_LICENSES_AVAILABLE"]);
    }

    [Fact]
    public void MergingWorkersAddsTheirCountsAndKeepsTheExtremes()
    {
        var first = new CallRecorder();
        first.RecordSuccess(TimeSpan.FromMilliseconds(5), "Serving");
        first.RecordFailure(TimeSpan.FromMilliseconds(9), StatusCode.Unavailable, "down");
        var second = new CallRecorder();
        second.RecordSuccess(TimeSpan.FromMilliseconds(2), "Serving");

        var merged = new CallRecorder();
        merged.Merge(first);
        merged.Merge(second);

        Assert.Equal(3, merged.Count);
        Assert.Equal(3, merged.Histogram.TotalCount);
        Assert.Equal(2_000, merged.MinMicroseconds);
        Assert.Equal(9_000, merged.MaxMicroseconds);
        Assert.Equal(2, merged.StatusCodes[StatusCode.OK]);
        Assert.Equal(2, merged.Outcomes["Serving"]);
    }

    [Fact]
    public void TheTextSummaryHasGhzSections()
    {
        var text = SummaryFormatter.ToText(Summarize(OneToAThousandMilliseconds(), TimeSpan.FromSeconds(2)));

        Assert.Contains("Summary:", text);
        Assert.Contains("  Count:\t1000", text);
        Assert.Contains("  Requests/sec:\t500.00", text);
        Assert.Contains("  Fastest:\t1.00 ms", text);
        Assert.Contains("  Total:\t2.00 s", text);
        Assert.Contains("Response time histogram:", text);
        Assert.Contains("Latency distribution:", text);
        Assert.Contains("  99.9 % in ", text);
        Assert.Contains("  [OK]\t1000 responses", text);
        Assert.DoesNotContain("Error distribution:", text);
    }

    [Fact]
    public void TheHistogramBarsHoldEveryCall()
    {
        var summary = Summarize(OneToAThousandMilliseconds(), TimeSpan.FromSeconds(2));

        Assert.Equal(LoadSummary.HistogramBars + 1, summary.Histogram.Count);
        Assert.Equal(1000, summary.Histogram.Sum(b => b.Count));
        Assert.Equal(1, summary.Histogram.Sum(b => b.Frequency), 6);
    }

    [Theory]
    [InlineData(0.25, "0.25 ms")]
    [InlineData(12.345, "12.35 ms")]
    [InlineData(999, "999.00 ms")]
    [InlineData(12_300, "12.30 s")]
    public void LatenciesPrintInMillisecondsBelowASecondAndSecondsAbove(double milliseconds, string expected) =>
        Assert.Equal(expected, SummaryFormatter.FormatLatency(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData(99, "99")]
    [InlineData(99.9, "99.9")]
    [InlineData(50, "50")]
    public void PercentagesPrintWithoutTrailingZeros(double percentage, string expected) =>
        Assert.Equal(expected, SummaryFormatter.FormatPercentage(percentage));

    [Fact]
    public void TheJsonReportUsesGhzFieldNamesAndNanoseconds()
    {
        var calls = OneToAThousandMilliseconds();
        calls.RecordFailure(TimeSpan.FromMilliseconds(1), StatusCode.Unavailable, "down");

        using var json = JsonDocument.Parse(SummaryFormatter.ToJson(Summarize(calls, TimeSpan.FromSeconds(1))));
        var root = json.RootElement;

        Assert.Equal(1001, root.GetProperty("count").GetInt64());
        Assert.Equal(1_000_000_000, root.GetProperty("total").GetInt64());
        Assert.Equal(1_000_000_000, root.GetProperty("slowest").GetInt64());
        Assert.Equal(1001, root.GetProperty("rps").GetDouble(), 6);
        Assert.Equal(1, root.GetProperty("errors").GetInt64());
        Assert.Equal(1000, root.GetProperty("statusCodeDistribution").GetProperty("OK").GetInt64());
        Assert.Equal(1, root.GetProperty("statusCodeDistribution").GetProperty("Unavailable").GetInt64());
        var p99 = root.GetProperty("latencyDistribution").EnumerateArray().Single(p => p.GetProperty("percentage").GetDouble() == 99);
        Assert.InRange(p99.GetProperty("latency").GetInt64(), 989_000_000, 991_000_000);
    }

    [Fact]
    public void AnEmptyRunSummarizesToZeros()
    {
        var summary = Summarize(new CallRecorder(), TimeSpan.Zero);

        Assert.Equal(0, summary.Count);
        Assert.Equal(0, summary.RequestsPerSecond);
        Assert.Equal(TimeSpan.Zero, summary.PercentileLatency(99));
        Assert.Empty(summary.Histogram);
    }
}
