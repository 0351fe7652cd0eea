using Google.Protobuf;

namespace RdsPlatform.Reporting.Storage;

/// <summary>
/// The stored form of a report's entries since schema version 2: pages of consecutive entries, each page one row whose
/// blob is the entries' protobuf bytes, each preceded by its length as a varint (the protobuf "delimited" form). A
/// million entries are then about two thousand rows instead of a million, which is what bounded the 1M-CAL report.
/// </summary>
public static class ReportPages
{
    /// <summary>
    /// At most this many entries share a page. Reads rely on it (a page holding ordinal N starts after N minus this), so
    /// it may only ever grow if the reads' bound grows with it.
    /// </summary>
    public const int MaxEntriesPerPage = 1000;

    /// <summary>
    /// A page is closed once its blob reaches this size: below the large object heap's 85,000 bytes, so writing and
    /// reading a page allocate ordinary short-lived arrays (a Per Device entry is about 120 bytes: some 500 a page).
    /// </summary>
    public const int TargetPageBytes = 60 * 1024;

    /// <summary>Decodes a page's entries with an ordinal above <paramref name="afterOrdinal"/>, at most <paramref name="limit"/> of them.</summary>
    public static void Decode(ReadOnlySpan<byte> page, long firstOrdinal, long afterOrdinal, long limit, List<StoredEntry> into)
    {
        var ordinal = firstOrdinal;
        while (!page.IsEmpty && into.Count < limit)
        {
            var length = ReadVarint(ref page);
            if (ordinal > afterOrdinal)
            {
                into.Add(new StoredEntry(ordinal, ReportEntry.Parser.ParseFrom(page[..length])));
            }

            page = page[length..];
            ordinal++;
        }
    }

    private static int ReadVarint(ref ReadOnlySpan<byte> span)
    {
        var value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = span[0];
            span = span[1..];
            value |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("A stored report page has a malformed entry length.");
    }

    /// <summary>Writes <paramref name="value"/> as a varint at the start of <paramref name="span"/>; the bytes written.</summary>
    internal static int WriteVarint(Span<byte> span, int value)
    {
        var remaining = (uint)value;
        var written = 0;
        while (remaining >= 0x80)
        {
            span[written++] = (byte)(remaining | 0x80);
            remaining >>= 7;
        }

        span[written++] = (byte)remaining;
        return written;
    }
}
