using Grpc.Core;
using RdsPlatform.LoadTest.Load;

namespace RdsPlatform.LoadTest.Summary;

/// <summary>One latency percentile.</summary>
public sealed record Percentile(double Percentage, TimeSpan Latency);

/// <summary>One bar of the response-time histogram: calls at most <see cref="Mark"/>.</summary>
public sealed record HistogramBucket(TimeSpan Mark, long Count, double Frequency);

/// <summary>What a run measured, in the shape of ghz's summary.</summary>
public sealed record LoadSummary(
    string Name,
    string Call,
    string Target,
    int Concurrency,
    int Connections,
    long Count,
    TimeSpan Total,
    TimeSpan Fastest,
    TimeSpan Slowest,
    TimeSpan Average,
    double RequestsPerSecond,
    IReadOnlyList<Percentile> LatencyDistribution,
    IReadOnlyList<HistogramBucket> Histogram,
    IReadOnlyDictionary<string, long> StatusCodeDistribution,
    IReadOnlyDictionary<string, long> ErrorDistribution,
    IReadOnlyDictionary<string, long> OutcomeDistribution)
{
    /// <summary>ghz's percentiles plus the 99.9th this project's targets read.</summary>
    public static readonly double[] Percentages = [10, 25, 50, 75, 90, 95, 99, 99.9];

    public const int HistogramBars = 10;

    public long Errors => StatusCodeDistribution.Where(s => s.Key != nameof(StatusCode.OK)).Sum(s => s.Value);

    public TimeSpan PercentileLatency(double percentage) =>
        LatencyDistribution.FirstOrDefault(p => p.Percentage.Equals(percentage))?.Latency
        ?? throw new ArgumentOutOfRangeException(nameof(percentage), $"The summary holds the {string.Join(", ", Percentages)} percentiles only.");

    public static LoadSummary From(string name, string call, string target, int concurrency, int connections, LoadResult result)
    {
        var calls = result.Calls;
        var empty = calls.Count == 0;
        var percentiles = Percentages
            .Select(p => new Percentile(p, empty ? TimeSpan.Zero : Micros(calls.Histogram.GetValueAtPercentile(p))))
            .ToList();
        var seconds = result.Elapsed.TotalSeconds;
        return new LoadSummary(
            name,
            call,
            target,
            concurrency,
            connections,
            calls.Count,
            result.Elapsed,
            empty ? TimeSpan.Zero : Micros(calls.MinMicroseconds),
            empty ? TimeSpan.Zero : Micros(calls.MaxMicroseconds),
            empty ? TimeSpan.Zero : TimeSpan.FromMicroseconds((double)calls.SumMicroseconds / calls.Count),
            seconds > 0 ? calls.Count / seconds : 0,
            percentiles,
            Buckets(calls),
            calls.StatusCodes.OrderByDescending(s => s.Value).ToDictionary(s => s.Key.ToString(), s => s.Value),
            calls.Errors.OrderByDescending(e => e.Value).ToDictionary(e => e.Key, e => e.Value),
            calls.Outcomes.OrderByDescending(o => o.Value).ToDictionary(o => o.Key, o => o.Value));
    }

    /// <summary>ghz's histogram: ten equal-width bars from the fastest to the slowest call.</summary>
    private static List<HistogramBucket> Buckets(CallRecorder calls)
    {
        if (calls.Count == 0)
        {
            return [];
        }

        var min = calls.MinMicroseconds;
        var width = Math.Max(1.0, (calls.MaxMicroseconds - min) / (double)HistogramBars);
        var counts = new long[HistogramBars + 1];
        foreach (var value in calls.Histogram.RecordedValues())
        {
            var micros = value.ValueIteratedTo;
            var index = (int)Math.Clamp(Math.Ceiling((micros - min) / width), 0, HistogramBars);
            counts[index] += value.CountAtValueIteratedTo;
        }

        return counts
            .Select((count, i) => new HistogramBucket(Micros((long)Math.Round(min + i * width)), count, (double)count / calls.Count))
            .ToList();
    }

    private static TimeSpan Micros(long micros) => TimeSpan.FromMicroseconds(micros);

}
