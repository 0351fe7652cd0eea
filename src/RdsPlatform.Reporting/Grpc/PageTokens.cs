using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace RdsPlatform.Reporting.Grpc;

/// <summary>
/// Opaque page tokens: base64url of a versioned position that names the query it belongs to, so a token from another
/// report or filter is refused instead of silently paging the wrong list.
/// </summary>
public static class PageTokens
{
    public static string ForReports(ReportKind kind, long lastSequence) => Encode($"r1|{(int)kind}|{lastSequence}");

    public static bool TryReadReports(string token, ReportKind kind, out long lastSequence)
    {
        lastSequence = 0;
        var parts = Decode(token);
        return parts is ["r1", var k, var seq]
            && k == ((int)kind).ToString(CultureInfo.InvariantCulture)
            && long.TryParse(seq, NumberStyles.None, CultureInfo.InvariantCulture, out lastSequence)
            && lastSequence > 0;
    }

    public static string ForEntries(string reportId, long lastOrdinal) => Encode($"e1|{reportId}|{lastOrdinal}");

    public static bool TryReadEntries(string token, string reportId, out long lastOrdinal)
    {
        lastOrdinal = 0;
        var parts = Decode(token);
        return parts is ["e1", var id, var ordinal]
            && id == reportId
            && long.TryParse(ordinal, NumberStyles.None, CultureInfo.InvariantCulture, out lastOrdinal)
            && lastOrdinal > 0;
    }

    private static string Encode(string position) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(position));

    private static string[]? Decode(string token)
    {
        if (token.Length > 200)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('|');
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
