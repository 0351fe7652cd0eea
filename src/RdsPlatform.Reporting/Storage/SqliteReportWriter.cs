using System.Globalization;
using Google.Protobuf;
using Microsoft.Data.Sqlite;

namespace RdsPlatform.Reporting.Storage;

/// <summary>
/// Writes one report's entries to SQLite in batched transactions with prepared multi-row inserts, so memory stays flat
/// however many rows the license server streams. Disposing an incomplete writer removes what it wrote.
/// </summary>
public sealed class SqliteReportWriter : IReportWriter
{
    /// <summary>
    /// Rows carried by one INSERT: a million rows one statement each spent more time binding and stepping through the
    /// provider (a data reader per statement) than SQLite spent storing them.
    /// </summary>
    internal const int RowsPerStatement = 64;

    private readonly SqliteReportStore _store;
    private readonly SqliteConnection _connection;
    private readonly string _reportId;
    private readonly int _batchSize;
    private readonly SqliteCommand _insertMany;
    private readonly SqliteCommand _insertOne;
    private readonly byte[][] _pending = new byte[RowsPerStatement][];
    private int _pendingCount;
    // Begun at the first write, not when generation starts: a summary reads the license server before it writes a row,
    // and holding the database's write lock all that time made concurrent generations time out on "database is locked".
    private SqliteTransaction? _transaction;
    private int _inBatch;
    private bool _committedSome;
    private bool _completed;

    internal SqliteReportWriter(SqliteReportStore store, SqliteConnection connection, string reportId, int batchSize)
    {
        _store = store;
        _connection = connection;
        _reportId = reportId;
        _batchSize = batchSize;
        _insertMany = Insert(connection, reportId, RowsPerStatement);
        _insertOne = Insert(connection, reportId, 1);
    }

    public long Count { get; private set; }

    public void Add(ReportEntry entry)
    {
        _pending[_pendingCount++] = entry.ToByteArray();
        Count++;
        if (_pendingCount == RowsPerStatement)
        {
            WritePending();
        }
    }

    /// <summary>The report row goes in the same transaction as the last batch.</summary>
    public void Complete(Report report)
    {
        WritePending();
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

    /// <summary>Writes the rows held back: a full statement at once, a shorter tail (the report's end) row by row.</summary>
    private void WritePending()
    {
        var first = Count - _pendingCount + 1;
        var transaction = Transaction();
        if (_pendingCount == RowsPerStatement)
        {
            Execute(_insertMany, transaction, first, _pendingCount);
        }
        else
        {
            for (var i = 0; i < _pendingCount; i++)
            {
                _insertOne.Parameters[1].Value = first + i;
                _insertOne.Parameters[2].Value = _pending[i];
                _insertOne.Transaction = transaction;
                _insertOne.ExecuteNonQuery();
            }
        }

        _inBatch += _pendingCount;
        Array.Clear(_pending, 0, _pendingCount);
        _pendingCount = 0;
        if (_inBatch >= _batchSize)
        {
            _transaction!.Commit();
            _transaction.Dispose();
            _transaction = null;
            _inBatch = 0;
            _committedSome = true;
        }
    }

    private void Execute(SqliteCommand insert, SqliteTransaction transaction, long firstOrdinal, int rows)
    {
        for (var i = 0; i < rows; i++)
        {
            insert.Parameters[1 + (2 * i)].Value = firstOrdinal + i;
            insert.Parameters[2 + (2 * i)].Value = _pending[i];
        }

        insert.Transaction = transaction;
        insert.ExecuteNonQuery();
    }

    /// <summary>A prepared insert of <paramref name="rows"/> entries: parameter 0 the report id, then ordinal and entry per row.</summary>
    private static SqliteCommand Insert(SqliteConnection connection, string reportId, int rows)
    {
        var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO report_entries (report_id, ordinal, entry) VALUES " + string.Join(", ",
            Enumerable.Range(0, rows).Select(i => string.Create(CultureInfo.InvariantCulture, $"($id, $o{i}, $e{i})")));
        insert.Parameters.AddWithValue("$id", reportId);
        for (var i = 0; i < rows; i++)
        {
            insert.Parameters.Add(string.Create(CultureInfo.InvariantCulture, $"$o{i}"), SqliteType.Integer);
            insert.Parameters.Add(string.Create(CultureInfo.InvariantCulture, $"$e{i}"), SqliteType.Blob);
        }

        insert.Prepare();
        return insert;
    }

    private SqliteTransaction Transaction() => _transaction ??= _connection.BeginTransaction();

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            _transaction?.Rollback();
        }

        _transaction?.Dispose();
        await _insertMany.DisposeAsync();
        await _insertOne.DisposeAsync();
        await _connection.DisposeAsync();
        if (!_completed && _committedSome)
        {
            _store.DeleteEntries(_reportId);
        }
    }
}
