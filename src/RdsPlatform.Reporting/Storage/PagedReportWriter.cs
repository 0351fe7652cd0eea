namespace RdsPlatform.Reporting.Storage;

/// <summary>
/// What both engines' report writers share: entries gathered into pages (<see cref="ReportPageBuilder"/>), each full page
/// handed to the engine as it closes and the rest at completion; the engine stores pages and the report row.
/// </summary>
public abstract class PagedReportWriter : IReportWriter
{
    private readonly ReportPageBuilder _pages = new();

    public long Count => _pages.Count;

    public void Add(ReportEntry entry)
    {
        _pages.Add(entry);
        WriteIfFull();
    }

    public void AddEncoded(ReadOnlySpan<byte> entry)
    {
        _pages.AddEncoded(entry);
        WriteIfFull();
    }

    public abstract void Complete(Report report);

    public abstract ValueTask DisposeAsync();

    /// <summary>Stores one page; <paramref name="last"/> for the page written by <see cref="WriteRest"/>.</summary>
    private protected abstract void Write(ReportPage page, bool last);

    /// <summary>Writes the entries not yet in a full page (the first step of <see cref="Complete"/>).</summary>
    private protected void WriteRest()
    {
        if (_pages.TryTakeRest(out var rest))
        {
            Write(rest, last: true);
        }
    }

    private void WriteIfFull()
    {
        if (_pages.TryTakePage(out var page))
        {
            Write(page, last: false);
        }
    }
}
