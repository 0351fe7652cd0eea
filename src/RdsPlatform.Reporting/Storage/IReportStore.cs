namespace RdsPlatform.Reporting.Storage;

/// <summary>One stored report row and its place in the newest-first listing.</summary>
public sealed record StoredReport(long Sequence, Report Report);

/// <summary>One stored entry and its ordinal (1-based, in generation order).</summary>
public sealed record StoredEntry(long Ordinal, ReportEntry Entry);

/// <summary>
/// Reporting's snapshot store, one implementation per engine (SQLite, PostgreSQL), both proved by ReportStoreContractTests.
/// A report exists once its report row is written: every read goes through it, so a generation that failed half way is
/// never seen.
/// </summary>
public interface IReportStore
{
    /// <summary>Starts writing a new report's entries; nothing is visible until <see cref="IReportWriter.Complete"/>.</summary>
    IReportWriter BeginReport(string reportId, int batchSize);

    /// <summary>Up to <paramref name="limit"/> reports with a sequence below <paramref name="beforeSequence"/>, newest first; all kinds for Unspecified.</summary>
    Task<IReadOnlyList<StoredReport>> ListReportsAsync(ReportKind kind, long beforeSequence, int limit, CancellationToken cancellationToken);

    Task<Report?> FindReportAsync(string reportId, CancellationToken cancellationToken);

    /// <summary>Entries with an ordinal above <paramref name="afterOrdinal"/> in ordinal order, at most <paramref name="limit"/> (all when 0), read lazily so an export never holds the whole report.</summary>
    IAsyncEnumerable<StoredEntry> StreamEntriesAsync(string reportId, long afterOrdinal, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Every entry of a report in ordinal order, a stored page at a time as encoded (<see cref="ReportPages"/>' form; an
    /// entry of a report stored row by row comes as a page of one), for an export that writes entries without parsing them.
    /// </summary>
    IAsyncEnumerable<ReportPage> StreamEntryPagesAsync(string reportId, CancellationToken cancellationToken);

    /// <summary>Removes a report and its entries in one transaction; false when it did not exist.</summary>
    Task<bool> DeleteReportAsync(string reportId, CancellationToken cancellationToken);
}

/// <summary>
/// A store whose engine admits one writer at a time (SQLite). Short bursts of writes take turns here, awaited in order,
/// instead of meeting the engine's lock, whose retries put a thread to sleep for each attempt.
/// </summary>
public interface ISingleWriterStore
{
    /// <summary>Waits for this caller's turn to write; disposing the answer ends it.</summary>
    Task<IDisposable> EnterWriteAsync(CancellationToken cancellationToken);
}

/// <summary>Writes one report's entries as they stream in, so memory stays flat however many rows there are.</summary>
public interface IReportWriter : IAsyncDisposable
{
    /// <summary>Entries written so far.</summary>
    long Count { get; }

    void Add(ReportEntry entry);

    /// <summary>An entry already encoded: the bytes of one ReportEntry message.</summary>
    void AddEncoded(ReadOnlySpan<byte> entry);

    /// <summary>Writes the report row: from here on the report exists. Disposing a writer not completed removes what it wrote.</summary>
    void Complete(Report report);
}

public static class ReportStoreExtensions
{
    /// <summary>Up to <paramref name="limit"/> entries with an ordinal above <paramref name="afterOrdinal"/> (keyset paging).</summary>
    public static async Task<IReadOnlyList<StoredEntry>> ReadEntriesAsync(
        this IReportStore store, string reportId, long afterOrdinal, int limit, CancellationToken cancellationToken)
    {
        var entries = new List<StoredEntry>(Math.Min(limit, 1024));
        await foreach (var entry in store.StreamEntriesAsync(reportId, afterOrdinal, limit, cancellationToken))
        {
            entries.Add(entry);
        }

        return entries;
    }
}
