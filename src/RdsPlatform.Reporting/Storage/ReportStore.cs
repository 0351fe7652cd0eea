using Google.Protobuf;
using Microsoft.Data.Sqlite;
using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.Reporting.Storage;

/// <summary>One stored report row and its place in the newest-first listing.</summary>
public sealed record StoredReport(long Sequence, Report Report);

/// <summary>One stored entry and its ordinal (1-based, in generation order).</summary>
public sealed record StoredEntry(long Ordinal, ReportEntry Entry);

/// <summary>
/// The service's own durable store: <c>reporting.db</c> (SQLite, WAL). A report's entries are written first in
/// batched transactions and its report row last, so every read goes through the report row and a generation that
/// failed half way is invisible; its orphaned entries are removed at once and again at start-up.
/// </summary>
public sealed class ReportStore
{
    private readonly string _connectionString;

    public ReportStore(string databasePath)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public void Initialize()
    {
        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS reports (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                report_id TEXT NOT NULL UNIQUE,
                kind INTEGER NOT NULL,
                report BLOB NOT NULL
            );
            CREATE INDEX IF NOT EXISTS reports_by_kind ON reports (kind, seq);
            CREATE TABLE IF NOT EXISTS report_entries (
                report_id TEXT NOT NULL,
                ordinal INTEGER NOT NULL,
                entry BLOB NOT NULL,
                PRIMARY KEY (report_id, ordinal)
            ) WITHOUT ROWID;
            DELETE FROM report_entries WHERE report_id NOT IN (SELECT report_id FROM reports);
            """);
    }

    /// <summary>Starts writing a new report's entries; nothing is visible until <see cref="ReportWriter.CompleteAsync"/>.</summary>
    public ReportWriter BeginReport(string reportId, int batchSize) => new(this, Open(), reportId, batchSize);

    public async Task<IReadOnlyList<StoredReport>> ListReportsAsync(ReportKind kind, long beforeSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = kind == ReportKind.Unspecified
            ? "SELECT seq, report FROM reports WHERE seq < $before ORDER BY seq DESC LIMIT $limit"
            : "SELECT seq, report FROM reports WHERE kind = $kind AND seq < $before ORDER BY seq DESC LIMIT $limit";
        command.Parameters.AddWithValue("$before", beforeSequence);
        command.Parameters.AddWithValue("$limit", limit);
        command.Parameters.AddWithValue("$kind", (int)kind);
        var reports = new List<StoredReport>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            reports.Add(new StoredReport(reader.GetInt64(0), Report.Parser.ParseFrom((byte[])reader[1])));
        }

        return reports;
    }

    public async Task<Report?> FindReportAsync(string reportId, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT report FROM reports WHERE report_id = $id";
        command.Parameters.AddWithValue("$id", reportId);
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] bytes ? Report.Parser.ParseFrom(bytes) : null;
    }

    /// <summary>Up to <paramref name="limit"/> entries with an ordinal above <paramref name="afterOrdinal"/> (keyset paging).</summary>
    public async Task<IReadOnlyList<StoredEntry>> ReadEntriesAsync(string reportId, long afterOrdinal, int limit, CancellationToken cancellationToken)
    {
        var entries = new List<StoredEntry>(Math.Min(limit, 1024));
        await foreach (var entry in StreamEntriesAsync(reportId, afterOrdinal, limit, cancellationToken))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>Entries in ordinal order, read lazily so an export never holds the whole report.</summary>
    public async IAsyncEnumerable<StoredEntry> StreamEntriesAsync(
        string reportId, long afterOrdinal, int limit,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT ordinal, entry FROM report_entries
            WHERE report_id = $id AND ordinal > $after ORDER BY ordinal LIMIT $limit
            """;
        command.Parameters.AddWithValue("$id", reportId);
        command.Parameters.AddWithValue("$after", afterOrdinal);
        command.Parameters.AddWithValue("$limit", limit <= 0 ? -1 : limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new StoredEntry(reader.GetInt64(0), ReportEntry.Parser.ParseFrom((byte[])reader[1]));
        }
    }

    /// <summary>Removes a report and its entries in one transaction; false when it did not exist.</summary>
    public async Task<bool> DeleteReportAsync(string reportId, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var transaction = connection.BeginTransaction();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM reports WHERE report_id = $id";
        command.Parameters.AddWithValue("$id", reportId);
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = "DELETE FROM report_entries WHERE report_id = $id";
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    internal void DeleteEntries(string reportId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM report_entries WHERE report_id = $id AND NOT EXISTS (SELECT 1 FROM reports WHERE report_id = $id)";
        command.Parameters.AddWithValue("$id", reportId);
        command.ExecuteNonQuery();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // NORMAL (no fsync per commit in WAL mode): a report is acknowledged only when GenerateReport returns after its
        // report row committed, and a report is a snapshot that can be generated again, so a power cut that loses the
        // last commits loses nothing a caller was told exists beyond what a new generation restores.
        Execute(connection, "PRAGMA synchronous = NORMAL;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>
/// Writes one report's entries in batched transactions with one prepared command, so memory stays flat however
/// many rows the license server streams. Disposing an incomplete writer removes what it wrote.
/// </summary>
public sealed class ReportWriter : IAsyncDisposable
{
    private readonly ReportStore _store;
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

    internal ReportWriter(ReportStore store, SqliteConnection connection, string reportId, int batchSize)
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

    /// <summary>Entries written so far.</summary>
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

    /// <summary>Writes the report row in the same transaction as the last batch: from here on the report exists.</summary>
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
