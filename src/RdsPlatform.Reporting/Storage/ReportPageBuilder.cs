using Google.Protobuf;

namespace RdsPlatform.Reporting.Storage;

/// <summary>One page ready to store: its first ordinal, how many entries it holds and their bytes.</summary>
public readonly record struct ReportPage(long FirstOrdinal, int EntryCount, byte[] Entries);

/// <summary>
/// Gathers a report's entries into pages (<see cref="ReportPages"/>) as they are added: <see cref="TryTakePage"/> hands
/// over a full page, <see cref="TryTakeRest"/> the last, shorter one. One buffer is reused for every page of a report,
/// and each entry is serialised straight into it.
/// </summary>
public sealed class ReportPageBuilder
{
    private byte[] _buffer = new byte[ReportPages.TargetPageBytes + 4096];
    private int _length;
    private long _firstOrdinal = 1;
    private int _entries;

    /// <summary>Entries added so far, in pages taken or not.</summary>
    public long Count { get; private set; }

    public void Add(ReportEntry entry)
    {
        var size = entry.CalculateSize();
        // A varint of an int is at most 5 bytes.
        if (_length + size + 5 > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + size + 5));
        }

        _length += ReportPages.WriteVarint(_buffer.AsSpan(_length), size);
        entry.WriteTo(_buffer.AsSpan(_length, size));
        _length += size;
        _entries++;
        Count++;
    }

    /// <summary>An entry already encoded (the bytes of one ReportEntry), stored as they are.</summary>
    public void AddEncoded(ReadOnlySpan<byte> entry)
    {
        if (_length + entry.Length + 5 > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + entry.Length + 5));
        }

        _length += ReportPages.WriteVarint(_buffer.AsSpan(_length), entry.Length);
        entry.CopyTo(_buffer.AsSpan(_length));
        _length += entry.Length;
        _entries++;
        Count++;
    }

    /// <summary>True with the page when the one being gathered is full.</summary>
    public bool TryTakePage(out ReportPage page)
    {
        if (_entries < ReportPages.MaxEntriesPerPage && _length < ReportPages.TargetPageBytes)
        {
            page = default;
            return false;
        }

        page = Take();
        return true;
    }

    /// <summary>True with the entries not yet taken as a page, if there are any.</summary>
    public bool TryTakeRest(out ReportPage page)
    {
        if (_entries == 0)
        {
            page = default;
            return false;
        }

        page = Take();
        return true;
    }

    private ReportPage Take()
    {
        var page = new ReportPage(_firstOrdinal, _entries, _buffer.AsSpan(0, _length).ToArray());
        _firstOrdinal += _entries;
        _entries = 0;
        _length = 0;
        return page;
    }
}
