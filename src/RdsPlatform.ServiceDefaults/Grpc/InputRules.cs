using Google.Protobuf;
using RdsPlatform.Licensing;

namespace RdsPlatform.ServiceDefaults.Grpc;

/// <summary>
/// Limits every service applies to the fields of its requests: lengths, character sets, enum values and counts.
/// Each rule returns the sentence a caller reads, or null when the value is acceptable.
/// </summary>
public static class InputRules
{
    /// <summary>Longest identifier, name or free text accepted in any request field unless the field says less.</summary>
    public const int MaxTextLength = 256;

    /// <summary>Most items accepted in a repeated field unless the field says less.</summary>
    public const int MaxRepeatedCount = 64;

    /// <summary>
    /// A text field: at most <paramref name="maxLength"/> characters and no control characters (they break logs,
    /// reports and CSV exports and are never part of a name).
    /// </summary>
    public static string? Text(string? value, int maxLength = MaxTextLength)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > maxLength)
        {
            return $"Use at most {maxLength} characters.";
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var loneSurrogate = char.IsHighSurrogate(c) ? i + 1 >= value.Length || !char.IsLowSurrogate(value[++i]) : char.IsLowSurrogate(c);
            // U+FFFD is what invalid UTF-8 on the wire decodes to.
            if (char.IsControl(c) || loneSurrogate || c == '\uFFFD')
            {
                return "Use printable text only: control characters (such as line breaks or NUL) and invalid UTF-8 are not accepted.";
            }
        }

        return null;
    }

    /// <summary>An enum field: one of the values the contract defines (the unspecified value only when allowed).</summary>
    public static string? Defined<T>(T value, bool allowUnspecified) where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            return $"{Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)} is not a {typeof(T).Name} value; use one of {string.Join(", ", Enum.GetNames<T>().Skip(allowUnspecified ? 0 : 1))}.";
        }

        return !allowUnspecified && Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0
            ? $"Choose a {typeof(T).Name}: {string.Join(", ", Enum.GetNames<T>().Skip(1))}."
            : null;
    }

    /// <summary>A repeated field: at most <paramref name="max"/> items.</summary>
    public static string? Count(int count, int max = MaxRepeatedCount) =>
        count > max ? $"Give at most {max} items." : null;

    /// <summary>A bytes field: at most <paramref name="maxBytes"/> bytes.</summary>
    public static string? Bytes(ByteString? value, int maxBytes) =>
        value is not null && value.Length > maxBytes ? $"Give at most {maxBytes} bytes." : null;

    /// <summary>Adds a problem for <paramref name="field"/> when <paramref name="description"/> is not null.</summary>
    public static List<FieldViolation> Add(this List<FieldViolation> problems, string field, string? description)
    {
        if (description is not null)
        {
            problems.Add(new FieldViolation(field, description));
        }

        return problems;
    }
}
