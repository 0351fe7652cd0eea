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
        AppendTotals(text, summary);
        AppendHistogram(text, summary);

        text.AppendLine();
        text.AppendLine("Latency distribution:");
        foreach (var percentile in summary.LatencyDistribution)
        {
            text.Append("  ").Append(FormatPercentage(percentile.Percentage)).Append(" % in ").AppendLine(FormatLatency(percentile.Latency));
        }

        AppendCounts(text, "Status code distribution:", summary.StatusCodeDistribution, alwaysShown: true);
        AppendCounts(text, "Outcome distribution:", summary.OutcomeDistribution, alwaysShown: false);
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

    private static void AppendTotals(StringBuilder text, LoadSummary summary)
    {
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
    }

    private static void AppendHistogram(StringBuilder text, LoadSummary summary)
    {
        if (summary.Histogram.Count == 0)
        {
            return;
        }

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

    /// <summary>ghz's "[name] N responses" lines, under a heading shown only when there is something to count unless <paramref name="alwaysShown"/>.</summary>
    private static void AppendCounts(StringBuilder text, string heading, IEnumerable<KeyValuePair<string, long>> counts, bool alwaysShown)
    {
        var lines = counts.ToList();
        if (lines.Count == 0 && !alwaysShown)
        {
            return;
        }

        text.AppendLine();
        text.AppendLine(heading);
        foreach (var (name, count) in lines)
        {
            text.Append("  [").Append(name).Append("]\t").Append(count.ToString(CultureInfo.InvariantCulture)).AppendLine(" responses");
        }
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
