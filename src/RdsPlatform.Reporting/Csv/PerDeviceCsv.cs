using System.Globalization;
using System.Text;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Reporting.Generation;

namespace RdsPlatform.Reporting.Csv;

/// <summary>
/// The Per Device rows of <see cref="ReportCsv"/>, written from stored entries' bytes straight into UTF-8: the export of
/// a million-CAL report without parsing each entry, a string per cell and encoding the text again. The same text as
/// <see cref="ReportCsv.WriteRow"/> and <see cref="CsvWriter"/> (quoting, formula cells; tested side by side). UTF-8 never
/// uses an ASCII byte inside a multi-byte character, so the quoting rules apply to the bytes as they do to the characters.
/// </summary>
internal sealed class PerDeviceCsv(int chunkBytes)
{
    // PerDeviceEntry's fields (reporting.proto), and the fields of a Timestamp.
    private const int HardwareId = 1, ComputerName = 2, Status = 3, IssuedAt = 4, ExpiresAt = 5, ProductVersion = 6, KeyPackId = 7;
    private const int PerDevice = 2, Seconds = 1;
    private const int TimeLength = 19;

    private static readonly byte[][] StatusWords = Words<CalStatus>(ReportCsv.Status);
    private static readonly byte[][] VersionWords = Words<ProductVersion>(ReportCsv.Version);

    // Room for a whole row past the chunk size: a row is written whole (cells are limited in length, grown if not).
    private byte[] _buffer = new byte[chunkBytes + 8192];
    private int _length;
    private bool _rowStarted;

    public int Length => _length;

    /// <summary>Text written as UTF-8 (the header row, or a row of an entry that is not Per Device).</summary>
    public void Append(string text)
    {
        Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>
    /// Rows of the page's entries (<see cref="Storage.ReportPages"/>' form) from byte <paramref name="from"/> on, until the
    /// text reaches the chunk size or the page ends; where the next entry starts.
    /// </summary>
    public int WriteRows(ReadOnlySpan<byte> page, int from)
    {
        var reader = new WireReader(page[from..]);
        while (!reader.End && _length < chunkBytes)
        {
            WriteRow(reader.ReadLengthDelimited());
        }

        return page.Length - reader.Remaining;
    }

    /// <summary>The text written so far, as its own array; the writer starts over.</summary>
    public byte[] TakeChunk()
    {
        var chunk = _buffer.AsSpan(0, _length).ToArray();
        _length = 0;
        return chunk;
    }

    /// <summary>One ReportEntry's row.</summary>
    internal void WriteRow(ReadOnlySpan<byte> entry)
    {
        var outer = new WireReader(entry);
        var (field, wire) = outer.End ? (0, 0) : outer.ReadTag();
        if (field != PerDevice || wire != WireReader.LengthDelimited)
        {
            // Not a Per Device entry (never in a Per Device report): as ReportCsv writes any entry.
            var text = new StringBuilder();
            ReportCsv.WriteRow(new CsvWriter(text), ReportEntry.Parser.ParseFrom(entry));
            Append(text.ToString());
            return;
        }

        ReadOnlySpan<byte> hardware = default, computer = default, issued = default, expires = default, keyPack = default;
        bool hasIssued = false, hasExpires = false;
        ulong status = 0, version = 0;
        var reader = new WireReader(outer.ReadLengthDelimited());
        while (!reader.End)
        {
            (field, wire) = reader.ReadTag();
            switch (field)
            {
                case HardwareId when wire == WireReader.LengthDelimited: hardware = reader.ReadLengthDelimited(); break;
                case ComputerName when wire == WireReader.LengthDelimited: computer = reader.ReadLengthDelimited(); break;
                case Status when wire == WireReader.Varint: status = reader.ReadVarint(); break;
                case IssuedAt when wire == WireReader.LengthDelimited: issued = reader.ReadLengthDelimited(); hasIssued = true; break;
                case ExpiresAt when wire == WireReader.LengthDelimited: expires = reader.ReadLengthDelimited(); hasExpires = true; break;
                case ProductVersion when wire == WireReader.Varint: version = reader.ReadVarint(); break;
                case KeyPackId when wire == WireReader.LengthDelimited: keyPack = reader.ReadLengthDelimited(); break;
                default: reader.Skip(wire); break;
            }
        }

        WriteField(hardware);
        WriteField(computer);
        WriteField(Word(StatusWords, status, s => ReportCsv.Status((CalStatus)s)));
        WriteTime(issued, hasIssued);
        WriteTime(expires, hasExpires);
        WriteField(Word(VersionWords, version, v => ReportCsv.Version((ProductVersion)v)));
        WriteField(keyPack);
        Append("\r\n"u8);
        _rowStarted = false;
    }

    /// <summary>As <see cref="CsvWriter.WriteField(ReadOnlySpan{char})"/>, on UTF-8.</summary>
    private void WriteField(ReadOnlySpan<byte> text)
    {
        // At most: separator, two quotes, the formula mark, and every byte doubled.
        Reserve(4 + 2 * text.Length);
        var into = _buffer.AsSpan();
        if (_rowStarted)
        {
            into[_length++] = (byte)',';
        }

        _rowStarted = true;
        var quote = text.IndexOfAny(",\"\r\n"u8) >= 0;
        if (quote)
        {
            into[_length++] = (byte)'"';
        }

        if (text.Length > 0 && text[0] is (byte)'=' or (byte)'+' or (byte)'-' or (byte)'@')
        {
            into[_length++] = (byte)'\'';
        }

        for (int next; quote && (next = text.IndexOf((byte)'"')) >= 0; text = text[(next + 1)..])
        {
            text[..(next + 1)].CopyTo(into[_length..]);
            _length += next + 1;
            into[_length++] = (byte)'"';
        }

        text.CopyTo(into[_length..]);
        _length += text.Length;
        if (quote)
        {
            into[_length++] = (byte)'"';
        }
    }

    /// <summary>As ReportCsv's times: "yyyy-MM-dd HH:mm:ss" UTC, to the second; empty when absent.</summary>
    private void WriteTime(ReadOnlySpan<byte> timestamp, bool present)
    {
        if (!present)
        {
            WriteField([]);
            return;
        }

        long seconds = 0;
        var reader = new WireReader(timestamp);
        while (!reader.End)
        {
            var (field, wire) = reader.ReadTag();
            if (field == Seconds && wire == WireReader.Varint)
            {
                seconds = (long)reader.ReadVarint();
            }
            else
            {
                reader.Skip(wire);
            }
        }

        Span<byte> text = stackalloc byte[TimeLength];
        DateTime.UnixEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond).TryFormat(text, out var written, "s", CultureInfo.InvariantCulture);
        text[10] = (byte)' ';
        WriteField(text[..written]);
    }

    private static ReadOnlySpan<byte> Word(byte[][] words, ulong value, Func<int, string> word) =>
        value < (ulong)words.Length ? words[value] : Encoding.UTF8.GetBytes(word((int)value));

    /// <summary>Each value's word as UTF-8, by number, up to the enum's largest value.</summary>
    private static byte[][] Words<T>(Func<T, string> word) where T : struct, Enum =>
        Enumerable.Range(0, Enum.GetValues<T>().Max(v => Convert.ToInt32(v, CultureInfo.InvariantCulture)) + 1)
            .Select(i => Encoding.UTF8.GetBytes(word((T)(object)i))).ToArray();

    private void Reserve(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }
    }
}
