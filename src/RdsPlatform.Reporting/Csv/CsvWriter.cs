using System.Text;

namespace RdsPlatform.Reporting.Csv;

/// <summary>
/// A small RFC 4180 writer: CRLF line ends, fields holding a comma, quote, CR or LF are quoted with quotes doubled.
/// A cell starting with =, +, - or @ is prefixed with a single quote so a spreadsheet shows it as text instead of
/// running it as a formula (CSV injection).
/// </summary>
public sealed class CsvWriter(StringBuilder buffer)
{
    private bool _rowStarted;

    public void WriteField(string? value) => WriteField(value.AsSpan());

    /// <summary>A field from a span, so a caller can format a value without a string per cell.</summary>
    public void WriteField(ReadOnlySpan<char> text)
    {
        if (_rowStarted)
        {
            buffer.Append(',');
        }

        _rowStarted = true;
        var quote = text.IndexOfAny(",\"\r\n") >= 0;
        if (quote)
        {
            buffer.Append('"');
        }

        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@')
        {
            buffer.Append('\'');
        }

        if (!quote)
        {
            buffer.Append(text);
            return;
        }

        for (int next; (next = text.IndexOf('"')) >= 0; text = text[(next + 1)..])
        {
            buffer.Append(text[..(next + 1)]).Append('"');
        }

        buffer.Append(text).Append('"');
    }

    public void WriteRow(params ReadOnlySpan<string?> fields)
    {
        foreach (var field in fields)
        {
            WriteField(field);
        }

        EndRow();
    }

    public void EndRow()
    {
        buffer.Append("\r\n");
        _rowStarted = false;
    }

    /// <summary>The UTF-8 byte order mark, so spreadsheets read the document as UTF-8.</summary>
    public static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];
}
