using Npgsql;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.Reporting.Storage;

/// <summary>
/// Reporting's snapshots in its PostgreSQL database: entries go in as pages (<see cref="ReportPages"/>) with binary <c>COPY</c> and the report row in the
/// same transaction (<see cref="PostgresReportWriter"/>), so a report is all there or not there and no clean-up pass is
/// needed, even with several replicas generating at once; reads page by keyset (ordinal, sequence).
/// </summary>
public sealed class PostgresReportStore(PostgresDatabase database) : IReportStore
{
    public IReportWriter BeginReport(string reportId, int batchSize) => new PostgresReportWriter(database.Open(), reportId);

    public async Task<IReadOnlyList<StoredReport>> ListReportsAsync(ReportKind kind, long beforeSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(kind == ReportKind.Unspecified
            ? "SELECT seq, report FROM reports WHERE seq < @before ORDER BY seq DESC LIMIT @limit"
            : "SELECT seq, report FROM reports WHERE kind = @kind AND seq < @before ORDER BY seq DESC LIMIT @limit", connection);
        command.Parameters.AddWithValue("before", beforeSequence);
        command.Parameters.AddWithValue("limit", (long)limit);
        command.Parameters.AddWithValue("kind", (int)kind);
        var reports = new List<StoredReport>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            reports.Add(new StoredReport(reader.GetInt64(0), Report.Parser.ParseFrom(reader.GetFieldValue<byte[]>(1))));
        }

        return reports;
    }

    public async Task<Report?> FindReportAsync(string reportId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT report FROM reports WHERE report_id = @id", connection);
        command.Parameters.AddWithValue("id", reportId);
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] bytes ? Report.Parser.ParseFrom(bytes) : null;
    }

    public async IAsyncEnumerable<StoredEntry> StreamEntriesAsync(
        string reportId, long afterOrdinal, int limit,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var entry in ReportEntryReads.StreamAsync(connection, reportId, afterOrdinal, limit, cancellationToken))
        {
            yield return entry;
        }
    }

    public async IAsyncEnumerable<ReportPage> StreamEntryPagesAsync(string reportId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var page in ReportEntryReads.StreamPagesAsync(connection, reportId, cancellationToken))
        {
            yield return page;
        }
    }

    public async Task<bool> DeleteReportAsync(string reportId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        return await ReportDeletion.DeleteAsync(transaction, reportId, cancellationToken);
    }
}
