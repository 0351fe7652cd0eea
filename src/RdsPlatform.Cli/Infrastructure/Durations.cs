using RdsPlatform.Shared;

namespace RdsPlatform.Cli.Infrastructure;

/// <summary>Durations as administrators type them (<c>30d</c>, <c>12h</c>, <c>90m</c>, <c>3600s</c>, <c>1d12h</c>; parsed by the shared <see cref="DurationText"/>, a unit required) and as rdslic prints them.</summary>
public static class Durations
{
    /// <summary>Parses a duration or throws a usage error naming the option; a bare number is seconds only where <paramref name="bareNumberIsSeconds"/> says so.</summary>
    public static TimeSpan Parse(string text, string what, bool bareNumberIsSeconds = false)
        => DurationText.TryParse(text, bareNumberIsSeconds, out var duration)
            ? duration
            : throw new UsageException($"{what} '{text}' is not a duration. Write a number followed by d, h, m or s, for example 30d, 12h, 90m or 3600s.");

    /// <summary>A short readable form: 30d, 1d 12h, 90m, 45s.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var parts = new List<string>();
        var sign = duration < TimeSpan.Zero ? "-" : "";
        duration = duration.Duration();
        if (duration.Days > 0) parts.Add($"{duration.Days}d");
        if (duration.Hours > 0) parts.Add($"{duration.Hours}h");
        if (duration.Minutes > 0) parts.Add($"{duration.Minutes}m");
        if (duration.Seconds > 0 || parts.Count == 0) parts.Add($"{duration.Seconds}s");
        return sign + string.Join(' ', parts);
    }
}
