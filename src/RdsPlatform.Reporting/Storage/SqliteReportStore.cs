using Google.Protobuf;
using Microsoft.Data.Sqlite;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.Reporting.Storage;

/// <summary>
/// The service's own durable store on SQLite: <c>reporting.db</c> (WAL). A report's entries are written first, in
/// pages (<see cref="ReportPages"/>) and batched transactions, and its report row last, so every read goes through the report row and a generation that
/// failed half way is invisible; its orphaned entries are removed at once and again at start-up.
/// </summary>
public sealed class SqliteReportStore : IReportStore, ISingleWriterStore
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeTurn = new(1, 1);

    public SqliteReportStore(string databasePath)
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
        Execute(connection, "PRAGMA journal_mode = WAL;");
        SqliteMigrations.Apply(connection, ReportingSchema.Sqlite);
        Execute(connection, "DELETE FROM report_pages WHERE report_id NOT IN (SELECT report_id FROM reports);");
        Execute(connection, "DELETE FROM report_entries WHERE report_id NOT IN (SELECT report_id FROM reports);");
    }

    /// <summary>Starts writing a new report's entries; nothing is visible until <see cref="IReportWriter.Complete"/>.</summary>
    public IReportWriter BeginReport(string reportId, int batchSize) => new SqliteReportWriter(this, Open(), reportId, batchSize);

    public async Task<IDisposable> EnterWriteAsync(CancellationToken cancellationToken)
    {
        await _writeTurn.WaitAsync(cancellationToken);
        return new Turn(_writeTurn);
    }

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

    /// <summary>Entries in ordinal order, read lazily (a page at a time) so an export never holds the whole report.</summary>
    public async IAsyncEnumerable<StoredEntry> StreamEntriesAsync(
        string reportId, long afterOrdinal, int limit,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await foreach (var entry in ReportEntryReads.StreamAsync(connection, reportId, afterOrdinal, limit, cancellationToken))
        {
            yield return entry;
        }
    }

    public async IAsyncEnumerable<ReportPage> StreamEntryPagesAsync(string reportId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await foreach (var page in ReportEntryReads.StreamPagesAsync(connection, reportId, cancellationToken))
        {
            yield return page;
        }
    }

    /// <summary>Removes a report and its entries in one transaction; false when it did not exist.</summary>
    public async Task<bool> DeleteReportAsync(string reportId, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var transaction = connection.BeginTransaction();
        return await ReportDeletion.DeleteAsync(transaction, reportId, cancellationToken);
    }

    internal void DeleteEntries(string reportId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM report_pages WHERE report_id = $id AND NOT EXISTS (SELECT 1 FROM reports WHERE report_id = $id)";
        command.Parameters.AddWithValue("$id", reportId);
        command.ExecuteNonQuery();
    }

    internal SqliteConnection Open()
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

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                turn.Release();
            }
        }
    }
}
