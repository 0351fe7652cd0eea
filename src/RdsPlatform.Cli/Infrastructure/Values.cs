using System.Globalization;
using System.Reflection;
using System.Text;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace RdsPlatform.Cli.Infrastructure;

/// <summary>Turns command-line words into contract values and contract values into words an administrator reads.</summary>
public static class Values
{
    /// <summary>
    /// Parses an enum value from a friendly word: <c>per-device</c>, <c>PerDevice</c>, <c>2022</c> or the proto name
    /// <c>CAL_TYPE_PER_DEVICE</c>. The <c>*_UNSPECIFIED</c> value is never accepted.
    /// </summary>
    public static TEnum ParseEnum<TEnum>(string text, string option) where TEnum : struct, System.Enum
    {
        var wanted = Normalize(text);
        foreach (var value in System.Enum.GetValues<TEnum>())
        {
            if (Convert.ToInt32(value, CultureInfo.InvariantCulture) == 0)
            {
                continue;
            }

            if (Normalize(value.ToString()) == wanted || Normalize(OriginalName(value)) == wanted)
            {
                return value;
            }
        }

        throw new UsageException($"{option} '{text}' is not one of: {string.Join(", ", Choices<TEnum>())}.");
    }

    /// <summary>A --limit given or the default of 100; zero or less is a usage error.</summary>
    public static int Limit(int? given)
    {
        var limit = given ?? 100;
        return limit > 0 ? limit : throw new UsageException("--limit must be a positive number.");
    }

    public static TEnum ParseOptionalEnum<TEnum>(string? text, string option) where TEnum : struct, System.Enum
        => string.IsNullOrWhiteSpace(text) ? default : ParseEnum<TEnum>(text, option);

    /// <summary>The words <see cref="ParseEnum{TEnum}"/> accepts, in kebab case.</summary>
    public static IEnumerable<string> Choices<TEnum>() where TEnum : struct, System.Enum
        => System.Enum.GetValues<TEnum>()
            .Where(v => Convert.ToInt32(v, CultureInfo.InvariantCulture) != 0)
            .Select(v => Kebab(v.ToString()));

    /// <summary>"PerDevice" → "Per Device", "_2022" → "2022", unspecified → "-".</summary>
    public static string Display<TEnum>(TEnum value) where TEnum : struct, System.Enum
    {
        if (Convert.ToInt32(value, CultureInfo.InvariantCulture) == 0)
        {
            return "-";
        }

        var name = value.ToString().TrimStart('_');
        var text = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1]))
            {
                text.Append(' ');
            }

            text.Append(name[i]);
        }

        return text.ToString();
    }

    public static string Display(Timestamp? timestamp)
        => timestamp is null ? "-" : timestamp.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string DisplaySeconds(Timestamp? timestamp)
        => timestamp is null ? "-" : timestamp.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Empty(string? text) => string.IsNullOrEmpty(text) ? "-" : text;

    private static string Kebab(string name)
    {
        var text = new StringBuilder();
        name = name.TrimStart('_');
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1]))
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }

    private static string OriginalName<TEnum>(TEnum value) where TEnum : struct, System.Enum
        => typeof(TEnum).GetField(value.ToString())?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? value.ToString();

    private static string Normalize(string text)
        => new string(text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
