using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;
using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.Reporting.Storage;

/// <summary>
/// Streams one report's entries into PostgreSQL with binary <c>COPY</c> inside one transaction that the report row
/// commits: PostgreSQL's MVCC lets a long transaction write without blocking other writers (SQLite's batches exist
/// because it cannot), so the batch size is not used here. Disposing an incomplete writer rolls everything back.
/// </summary>
public sealed class PostgresReportWriter(NpgsqlConnection connection, string reportId) : IReportWriter
{
    // Begun at the first entry, not when generation starts: a summary streams the whole license list before its first row.
    private NpgsqlTransaction? _transaction;
    private NpgsqlBinaryImporter? _copy;
    private bool _completed;

    public long Count { get; private set; }

    public void Add(ReportEntry entry)
    {
        _copy ??= StartCopy();
        Count++;
        _copy.StartRow();
        _copy.Write(reportId, NpgsqlDbType.Text);
        _copy.Write(Count, NpgsqlDbType.Bigint);
        _copy.Write(entry.ToByteArray(), NpgsqlDbType.Bytea);
    }

    public void Complete(Report report)
    {
        _transaction ??= connection.BeginTransaction();
        if (_copy is not null)
        {
            _copy.Complete();
            _copy.Dispose();
            _copy = null;
        }

        using var command = new NpgsqlCommand("INSERT INTO reports (report_id, kind, report) VALUES (@id, @kind, @report)", connection, _transaction);
        command.Parameters.AddWithValue("id", reportId);
        command.Parameters.AddWithValue("kind", (int)report.Kind);
        command.Parameters.AddWithValue("report", report.ToByteArray());
        command.ExecuteNonQuery();
        _transaction.Commit();
        _completed = true;
    }

    private NpgsqlBinaryImporter StartCopy()
    {
        _transaction ??= connection.BeginTransaction();
        return connection.BeginBinaryImport("COPY report_entries (report_id, ordinal, entry) FROM STDIN (FORMAT BINARY)");
    }

    public async ValueTask DisposeAsync()
    {
        if (_copy is not null)
        {
            // Disposing an importer that was not completed cancels the COPY.
            await _copy.DisposeAsync();
        }

        if (_transaction is not null)
        {
            if (!_completed)
            {
                await _transaction.RollbackAsync();
            }

            await _transaction.DisposeAsync();
        }

        await connection.DisposeAsync();
    }
}
