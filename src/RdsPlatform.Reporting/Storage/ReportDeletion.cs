using System.Data.Common;

namespace RdsPlatform.Reporting.Storage;

/// <summary>
/// One report's removal on either engine: its row, then its entries in both stored forms (pages, and the rows of a report
/// written before schema version 2), committed in the caller's transaction.
/// </summary>
internal static class ReportDeletion
{
    /// <summary>False when the report did not exist. Both engines read "@id" as the parameter.</summary>
    public static async Task<bool> DeleteAsync(DbTransaction transaction, string reportId, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        var id = command.CreateParameter();
        id.ParameterName = "@id";
        id.Value = reportId;
        command.Parameters.Add(id);
        command.CommandText = "DELETE FROM reports WHERE report_id = @id";
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = "DELETE FROM report_pages WHERE report_id = @id";
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = "DELETE FROM report_entries WHERE report_id = @id";
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }
}
