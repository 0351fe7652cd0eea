using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RdsPlatform.LoadTest.Summary;

/// <summary>Prints a <see cref="LoadSummary"/> as ghz does: the text summary, or its JSON report (durations in nanoseconds).</summary>
public static class SummaryFormatter
{
    /// <summary>Milliseconds with two decimals below one second (<c>0.71 ms</c>), seconds above (<c>12.30 s</c>).</summary>
    public static string FormatLatency(TimeSpan latency) =>
        latency < TimeSpan.FromSeconds(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{latency.TotalMilliseconds:0.00} ms")
            : string.Create(CultureInfo.InvariantCulture, $"{latency.TotalSeconds:0.00} s");

    /// <summary><c>99</c>, <c>99.9</c>: no trailing zeros.</summary>
    public static string FormatPercentage(double percentage) => percentage.ToString("0.###", CultureInfo.InvariantCulture);

    public static string ToText(LoadSummary summary)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("Summary:");
        if (summary.Name.Length > 0)
        {
            text.Append("  Name:\t").AppendLine(summary.Name);
        }

        text.Append("  Call:\t").AppendLine(summary.Call);
        text.Append("  Target:\t").AppendLine(summary.Target);
        text.Append("  Concurrency:\t").Append(summary.Concurrency.ToString(CultureInfo.InvariantCulture))
            .Append(" over ").Append(summary.Connections.ToString(CultureInfo.InvariantCulture)).AppendLine(" connection(s)");
        text.Append("  Count:\t").AppendLine(summary.Count.ToString(CultureInfo.InvariantCulture));
        text.Append("  Total:\t").AppendLine(FormatLatency(summary.Total));
        text.Append("  Slowest:\t").AppendLine(FormatLatency(summary.Slowest));
        text.Append("  Fastest:\t").AppendLine(FormatLatency(summary.Fastest));
        text.Append("  Average:\t").AppendLine(FormatLatency(summary.Average));
        text.Append("  Requests/sec:\t").AppendLine(summary.RequestsPerSecond.ToString("0.00", CultureInfo.InvariantCulture));

        if (summary.Histogram.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Response time histogram:");
            var widest = Math.Max(1, summary.Histogram.Max(b => b.Count));
            foreach (var bucket in summary.Histogram)
            {
                var bar = new string('∎', (int)(40 * bucket.Count / widest));
                text.Append("  ").Append(bucket.Mark.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture))
                    .Append(" [").Append(bucket.Count.ToString(CultureInfo.InvariantCulture)).Append("]\t|").AppendLine(bar);
            }
        }

        text.AppendLine();
        text.AppendLine("Latency distribution:");
        foreach (var percentile in summary.LatencyDistribution)
        {
            text.Append("  ").Append(FormatPercentage(percentile.Percentage)).Append(" % in ").AppendLine(FormatLatency(percentile.Latency));
        }

        text.AppendLine();
        text.AppendLine("Status code distribution:");
        foreach (var (code, count) in summary.StatusCodeDistribution)
        {
            text.Append("  [").Append(code).Append("]\t").Append(count.ToString(CultureInfo.InvariantCulture)).AppendLine(" responses");
        }

        if (summary.OutcomeDistribution.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Outcome distribution:");
            foreach (var (outcome, count) in summary.OutcomeDistribution)
            {
                text.Append("  [").Append(outcome).Append("]\t").Append(count.ToString(CultureInfo.InvariantCulture)).AppendLine(" responses");
            }
        }

        if (summary.ErrorDistribution.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Error distribution:");
            foreach (var (error, count) in summary.ErrorDistribution.Take(20))
            {
                text.Append("  [").Append(count.ToString(CultureInfo.InvariantCulture)).Append("]\t").AppendLine(error);
            }
        }

        return text.ToString();
    }

    /// <summary>ghz's JSON report fields (<c>count</c>, <c>total</c>, <c>average</c>, <c>fastest</c>, <c>slowest</c>, <c>rps</c>, distributions), nanoseconds for durations.</summary>
    public static string ToJson(LoadSummary summary)
    {
        var json = new JsonObject
        {
            ["name"] = summary.Name,
            ["call"] = summary.Call,
            ["target"] = summary.Target,
            ["concurrency"] = summary.Concurrency,
            ["connections"] = summary.Connections,
            ["count"] = summary.Count,
            ["total"] = Nanoseconds(summary.Total),
            ["average"] = Nanoseconds(summary.Average),
            ["fastest"] = Nanoseconds(summary.Fastest),
            ["slowest"] = Nanoseconds(summary.Slowest),
            ["rps"] = Math.Round(summary.RequestsPerSecond, 2),
            ["errors"] = summary.Errors,
            ["latencyDistribution"] = new JsonArray(summary.LatencyDistribution
                .Select(p => (JsonNode)new JsonObject { ["percentage"] = p.Percentage, ["latency"] = Nanoseconds(p.Latency) })
                .ToArray()),
            ["histogram"] = new JsonArray(summary.Histogram
                .Select(b => (JsonNode)new JsonObject { ["mark"] = b.Mark.TotalSeconds, ["count"] = b.Count, ["frequency"] = b.Frequency })
                .ToArray()),
            ["statusCodeDistribution"] = Counts(summary.StatusCodeDistribution),
            ["errorDistribution"] = Counts(summary.ErrorDistribution),
            ["outcomeDistribution"] = Counts(summary.OutcomeDistribution),
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static long Nanoseconds(TimeSpan duration) => duration.Ticks * 100;

    private static JsonObject Counts(IReadOnlyDictionary<string, long> counts)
    {
        var json = new JsonObject();
        foreach (var (key, count) in counts)
        {
            json[key] = count;
        }

        return json;
    }
}
