using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;

namespace RdsPlatform.Reporting.Storage;

/// <summary>
/// Streams one report's entries into PostgreSQL a page at a time (<see cref="ReportPageBuilder"/>) with binary
/// <c>COPY</c> inside one transaction that the report row commits: PostgreSQL's MVCC lets a long transaction write
/// without blocking other writers (SQLite's batches exist because it cannot), so the batch size is not used here.
/// Disposing an incomplete writer rolls everything back.
/// </summary>
public sealed class PostgresReportWriter(NpgsqlConnection connection, string reportId) : PagedReportWriter
{
    // Begun at the first page, not when generation starts: a summary streams the whole license list before its first row.
    private NpgsqlTransaction? _transaction;
    private NpgsqlBinaryImporter? _copy;
    private bool _completed;

    public override void Complete(Report report)
    {
        WriteRest();

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

    private protected override void Write(ReportPage page, bool last)
    {
        _copy ??= StartCopy();
        _copy.StartRow();
        _copy.Write(reportId, NpgsqlDbType.Text);
        _copy.Write(page.FirstOrdinal, NpgsqlDbType.Bigint);
        _copy.Write(page.EntryCount, NpgsqlDbType.Integer);
        _copy.Write(page.Entries, NpgsqlDbType.Bytea);
    }

    private NpgsqlBinaryImporter StartCopy()
    {
        _transaction ??= connection.BeginTransaction();
        return connection.BeginBinaryImport("COPY report_pages (report_id, first_ordinal, entry_count, entries) FROM STDIN (FORMAT BINARY)");
    }

    public override async ValueTask DisposeAsync()
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
