using Google.Protobuf;
using Microsoft.Data.Sqlite;

namespace RdsPlatform.Reporting.Storage;

/// <summary>
/// Writes one report's entries to SQLite a page at a time (<see cref="ReportPageBuilder"/>: one insert per few hundred
/// entries, where one per entry bounded the 1M-CAL report), committing every batch of entries, so memory stays flat
/// however many the license server streams. Disposing an incomplete writer removes what it wrote.
/// </summary>
public sealed class SqliteReportWriter : PagedReportWriter
{
    private readonly SqliteReportStore _store;
    private readonly SqliteConnection _connection;
    private readonly string _reportId;
    private readonly int _batchSize;
    private readonly SqliteCommand _insertPage;
    // Begun at the first write, not when generation starts: a summary reads the license server before it writes a row,
    // and holding the database's write lock all that time made concurrent generations time out on "database is locked".
    private SqliteTransaction? _transaction;
    private long _inBatch;
    private bool _committedSome;
    private bool _completed;

    internal SqliteReportWriter(SqliteReportStore store, SqliteConnection connection, string reportId, int batchSize)
    {
        _store = store;
        _connection = connection;
        _reportId = reportId;
        _batchSize = batchSize;
        _insertPage = connection.CreateCommand();
        _insertPage.CommandText = "INSERT INTO report_pages (report_id, first_ordinal, entry_count, entries) VALUES ($id, $first, $count, $entries)";
        _insertPage.Parameters.AddWithValue("$id", reportId);
        _insertPage.Parameters.Add("$first", SqliteType.Integer);
        _insertPage.Parameters.Add("$count", SqliteType.Integer);
        _insertPage.Parameters.Add("$entries", SqliteType.Blob);
    }

    /// <summary>The last page and the report row go in the same transaction.</summary>
    public override void Complete(Report report)
    {
        WriteRest();

        using var command = _connection.CreateCommand();
        command.Transaction = Transaction();
        command.CommandText = "INSERT INTO reports (report_id, kind, report) VALUES ($id, $kind, $report)";
        command.Parameters.AddWithValue("$id", _reportId);
        command.Parameters.AddWithValue("$kind", (int)report.Kind);
        command.Parameters.AddWithValue("$report", report.ToByteArray());
        command.ExecuteNonQuery();
        _transaction!.Commit();
        _completed = true;
    }

    private protected override void Write(ReportPage page, bool last)
    {
        _insertPage.Transaction = Transaction();
        _insertPage.Parameters[1].Value = page.FirstOrdinal;
        _insertPage.Parameters[2].Value = page.EntryCount;
        _insertPage.Parameters[3].Value = page.Entries;
        _insertPage.ExecuteNonQuery();
        _inBatch += page.EntryCount;
        if (!last && _inBatch >= _batchSize)
        {
            _transaction!.Commit();
            _transaction.Dispose();
            _transaction = null;
            _inBatch = 0;
            _committedSome = true;
        }
    }

    private SqliteTransaction Transaction() => _transaction ??= _connection.BeginTransaction();

    public override async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            _transaction?.Rollback();
        }

        _transaction?.Dispose();
        await _insertPage.DisposeAsync();
        await _connection.DisposeAsync();
        if (!_completed && _committedSome)
        {
            _store.DeleteEntries(_reportId);
        }
    }
}
