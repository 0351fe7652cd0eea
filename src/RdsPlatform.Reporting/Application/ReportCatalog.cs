using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Reporting.Grpc;
using RdsPlatform.Reporting.Storage;
using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.Reporting.Application;

/// <summary>
/// The stored reports as callers see them: listed and paged by kind, found, read page by page and deleted. Each answer
/// is an outcome; a report that does not exist or a page token from another listing is a problem, never an exception.
/// </summary>
public sealed class ReportCatalog(IReportStore store)
{
    public async Task<Outcome<ListReportsResponse>> ListAsync(ReportKind kind, string pageToken, int pageSize, CancellationToken cancellationToken)
    {
        var before = long.MaxValue;
        if (pageToken.Length > 0 && !PageTokens.TryReadReports(pageToken, kind, out before))
        {
            return Problem.Invalid("page_token", "The page token is not one this service returned for this listing; start again with an empty page_token.");
        }

        // One more than asked tells whether another page follows, so the last page has no token.
        var reports = await store.ListReportsAsync(kind, before, pageSize + 1, cancellationToken);
        var response = new ListReportsResponse();
        response.Reports.AddRange(reports.Take(pageSize).Select(r => r.Report));
        if (reports.Count > pageSize)
        {
            response.NextPageToken = PageTokens.ForReports(kind, reports[pageSize - 1].Sequence);
        }

        return response;
    }

    public async Task<Outcome<GetReportEntriesResponse>> ReadEntriesAsync(string reportId, string pageToken, int pageSize, CancellationToken cancellationToken)
    {
        long after = 0;
        if (pageToken.Length > 0 && !PageTokens.TryReadEntries(pageToken, reportId, out after))
        {
            return Problem.Invalid("page_token", "The page token is not one this service returned for this report; start again with an empty page_token.");
        }

        var found = await FindAsync(reportId, cancellationToken);
        if (found.Problem is { } missing)
        {
            return missing;
        }

        var report = found.Value!;
        var entries = await store.ReadEntriesAsync(reportId, after, pageSize, cancellationToken);
        var response = new GetReportEntriesResponse { Total = report.EntryCount };
        response.Entries.AddRange(entries.Select(e => e.Entry));
        if (entries.Count == pageSize && entries[^1].Ordinal < report.EntryCount)
        {
            response.NextPageToken = PageTokens.ForEntries(reportId, entries[^1].Ordinal);
        }

        return response;
    }

    public async Task<Outcome<Report>> FindAsync(string reportId, CancellationToken cancellationToken) =>
        await store.FindReportAsync(reportId, cancellationToken) is { } report ? report : NotFound(reportId);

    public async Task<Outcome<DeleteReportResponse>> DeleteAsync(string reportId, CancellationToken cancellationToken) =>
        await store.DeleteReportAsync(reportId, cancellationToken) ? new DeleteReportResponse() : NotFound(reportId);

    private static Problem NotFound(string reportId) =>
        Problem.NotFound($"No stored report has the id '{reportId}'; it may have been deleted. ListReports shows the reports that exist.");
}
