using System.Globalization;

namespace RdsPlatform.Shared;

/// <summary>
/// The one parser for durations typed on a command line, linked into rdslic and rds-load (both are command-line tools
/// without a project in common that suits a text helper). A duration is one or more number-and-unit parts with nothing
/// between them (<c>30d</c>, <c>1d12h</c>, <c>1m30s</c>, <c>500ms</c>, <c>1.5h</c>); units are d, h, m, s, ms, us (or µs)
/// and ns, in any case; surrounding spaces are ignored. A bare number means seconds only when the tool says so (rds-load
/// reads ghz's way; rdslic asks for a unit). Negative durations and more than 100,000 days are refused.
/// </summary>
internal static class DurationText
{
    /// <summary>The longest duration accepted: far beyond any licensing period or load run, far below TimeSpan's limit.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(100_000);

    public static bool TryParse(string? text, bool bareNumberIsSeconds, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text?.Trim().ToLowerInvariant() ?? "";
        if (s.Length == 0)
        {
            return false;
        }

        double ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            if (!TryNumber(s, ref i, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && char.IsLetter(s[i]))
            {
                i++;
            }

            var bare = unitStart == i && unitStart == s.Length && ticks == 0 && bareNumberIsSeconds;
            if ((bare ? TimeSpan.TicksPerSecond : TicksPer(s[unitStart..i])) is not { } unit)
            {
                return false;
            }

            ticks += number * unit;
        }

        if (ticks > Longest.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)Math.Round(ticks));
        return true;
    }

    /// <summary>Digits, optionally followed by a point and more digits.</summary>
    private static bool TryNumber(string s, ref int i, out double number)
    {
        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        if (i > start && i + 1 < s.Length && s[i] == '.' && char.IsAsciiDigit(s[i + 1]))
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
        }

        number = 0;
        return i > start && double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);
    }

    private static double? TicksPer(string unit) => unit switch
    {
        "d" => TimeSpan.TicksPerDay,
        "h" => TimeSpan.TicksPerHour,
        "m" => TimeSpan.TicksPerMinute,
        "s" => TimeSpan.TicksPerSecond,
        "ms" => TimeSpan.TicksPerMillisecond,
        "us" or "µs" => TimeSpan.TicksPerMicrosecond,
        "ns" => TimeSpan.TicksPerMicrosecond / 1000.0,
        _ => null,
    };
}
