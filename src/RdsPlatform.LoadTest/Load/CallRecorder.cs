using System.Diagnostics;
using Grpc.Core;
using HdrHistogram;

namespace RdsPlatform.LoadTest.Load;

/// <summary>
/// What one worker saw: latencies in microseconds (HdrHistogram, 3 significant digits), exact min/max/sum, calls by
/// status code, error messages, and scenario outcomes (for example the Connect reason code). One per worker, merged at the end,
/// so recording takes no lock.
/// </summary>
public sealed class CallRecorder
{
    /// <summary>Longest latency the histogram tracks exactly: ten minutes.</summary>
    public const long HighestTrackableMicroseconds = 600_000_000;

    public LongHistogram Histogram { get; } = new(1, HighestTrackableMicroseconds, 3);

    public long Count { get; private set; }

    public long MinMicroseconds { get; private set; } = long.MaxValue;

    public long MaxMicroseconds { get; private set; }

    public long SumMicroseconds { get; private set; }

    public Dictionary<StatusCode, long> StatusCodes { get; } = [];

    public Dictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> Outcomes { get; } = new(StringComparer.Ordinal);

    public void RecordSuccess(TimeSpan latency, string? outcome)
    {
        Record(latency, StatusCode.OK);
        if (outcome is not null)
        {
            Increment(Outcomes, outcome);
        }
    }

    public void RecordFailure(TimeSpan latency, StatusCode status, string detail)
    {
        Record(latency, status);
        Increment(Errors, $"rpc error: code = {status} desc = {detail}");
    }

    public void Merge(CallRecorder other)
    {
        Histogram.Add(other.Histogram);
        Count += other.Count;
        MinMicroseconds = Math.Min(MinMicroseconds, other.MinMicroseconds);
        MaxMicroseconds = Math.Max(MaxMicroseconds, other.MaxMicroseconds);
        SumMicroseconds += other.SumMicroseconds;
        foreach (var (code, n) in other.StatusCodes)
        {
            StatusCodes[code] = StatusCodes.GetValueOrDefault(code) + n;
        }

        foreach (var (key, n) in other.Errors)
        {
            Errors[key] = Errors.GetValueOrDefault(key) + n;
        }

        foreach (var (key, n) in other.Outcomes)
        {
            Outcomes[key] = Outcomes.GetValueOrDefault(key) + n;
        }
    }

    public static long ToMicroseconds(TimeSpan latency) =>
        Math.Clamp((long)Math.Round(latency.TotalMicroseconds), 1, HighestTrackableMicroseconds);

    public static TimeSpan Since(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp);

    private void Record(TimeSpan latency, StatusCode status)
    {
        var micros = ToMicroseconds(latency);
        Histogram.RecordValue(micros);
        Count++;
        MinMicroseconds = Math.Min(MinMicroseconds, micros);
        MaxMicroseconds = Math.Max(MaxMicroseconds, micros);
        SumMicroseconds += micros;
        StatusCodes[status] = StatusCodes.GetValueOrDefault(status) + 1;
    }

    private static void Increment(Dictionary<string, long> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}
