using Google.Protobuf;
using Microsoft.Data.Sqlite;
using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.Reporting.Storage;

/// <summary>
/// Writes one report's entries to SQLite in batched transactions with one prepared command, so memory stays flat however
/// many rows the license server streams. Disposing an incomplete writer removes what it wrote.
/// </summary>
public sealed class SqliteReportWriter : IReportWriter
{
    private readonly SqliteReportStore _store;
    private readonly SqliteConnection _connection;
    private readonly string _reportId;
    private readonly int _batchSize;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _ordinal;
    private readonly SqliteParameter _entry;
    // Begun at the first write, not when generation starts: a summary streams the whole license list before it writes a
    // row, and holding the database's write lock all that time made concurrent generations time out on "database is locked".
    private SqliteTransaction? _transaction;
    private int _inBatch;
    private bool _completed;

    internal SqliteReportWriter(SqliteReportStore store, SqliteConnection connection, string reportId, int batchSize)
    {
        _store = store;
        _connection = connection;
        _reportId = reportId;
        _batchSize = batchSize;
        _insert = connection.CreateCommand();
        _insert.CommandText = "INSERT INTO report_entries (report_id, ordinal, entry) VALUES ($id, $ordinal, $entry)";
        _insert.Parameters.AddWithValue("$id", reportId);
        _ordinal = _insert.Parameters.Add("$ordinal", SqliteType.Integer);
        _entry = _insert.Parameters.Add("$entry", SqliteType.Blob);
        _insert.Prepare();
    }

    public long Count { get; private set; }

    public void Add(ReportEntry entry)
    {
        var bytes = entry.ToByteArray();
        _insert.Transaction = Transaction();
        Count++;
        _ordinal.Value = Count;
        _entry.Value = bytes;
        _insert.ExecuteNonQuery();
        if (++_inBatch >= _batchSize)
        {
            _transaction!.Commit();
            _transaction.Dispose();
            _transaction = null;
            _inBatch = 0;
        }
    }

    /// <summary>The report row goes in the same transaction as the last batch.</summary>
    public void Complete(Report report)
    {
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

    private SqliteTransaction Transaction() => _transaction ??= _connection.BeginTransaction();

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            _transaction?.Rollback();
        }

        _transaction?.Dispose();
        await _insert.DisposeAsync();
        await _connection.DisposeAsync();
        if (!_completed && Count > _inBatch)
        {
            _store.DeleteEntries(_reportId);
        }
    }
}
