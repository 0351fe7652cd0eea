using System.Globalization;
using System.Text.RegularExpressions;

namespace RdsPlatform.Cli.Infrastructure;

/// <summary>Durations as administrators type them: <c>30d</c>, <c>12h</c>, <c>90m</c>, <c>3600s</c>, or combined like <c>1d12h</c>.</summary>
public static partial class Durations
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var trimmed = text?.Trim().ToLowerInvariant() ?? "";
        if (!WholeDuration().IsMatch(trimmed))
        {
            return false;
        }

        foreach (Match part in DurationPart().Matches(trimmed))
        {
            if (!double.TryParse(part.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            var unit = part.Groups["u"].Value switch
            {
                "d" => TimeSpan.FromDays(1),
                "h" => TimeSpan.FromHours(1),
                "m" => TimeSpan.FromMinutes(1),
                _ => TimeSpan.FromSeconds(1),
            };
            if (amount * unit.TotalDays > 100_000)
            {
                return false;
            }

            duration += unit * amount;
        }

        return true;
    }

    /// <summary>Parses a duration or throws a usage error naming the option.</summary>
    public static TimeSpan Parse(string text, string what)
        => TryParse(text, out var duration)
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

    [GeneratedRegex(@"^(\d+(\.\d+)?[dhms])+$")]
    private static partial Regex WholeDuration();

    [GeneratedRegex(@"(?<n>\d+(\.\d+)?)(?<u>[dhms])")]
    private static partial Regex DurationPart();
}
