using System.Text;
using Google.Protobuf;
using Grpc.Core;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Reporting.Compliance;
using RdsPlatform.Reporting.Csv;
using RdsPlatform.Reporting.Generation;
using RdsPlatform.Reporting.Storage;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Grpc;
using RdsPlatform.ServiceDefaults.Outcomes;
using RdsPlatform.ServiceDefaults.Security;

namespace RdsPlatform.Reporting.Grpc;

/// <summary><c>rds.reporting.v1.Reporting</c>: the reports of RD Licensing Manager, stored as snapshots.</summary>
public sealed class ReportingService(ReportGenerator generator, ReportStore store, ComplianceSummaryProvider compliance)
    : Contracts.Reporting.V1.Reporting.ReportingBase
{
    public const int MaxDomainLength = 255;
    public const int MaxReportIdLength = 64;
    public const int DefaultReportsPageSize = 20;
    public const int MaxReportsPageSize = 100;
    public const int DefaultEntriesPageSize = 100;
    public const int MaxEntriesPageSize = 1000;
    public const int ExportChunkBytes = 32 * 1024;

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task<GenerateReportResponse> GenerateReport(GenerateReportRequest request, ServerCallContext context)
    {
        var problems = new List<FieldViolation>();
        if (request.Kind == ReportKind.Unspecified || !System.Enum.IsDefined(request.Kind))
        {
            problems.Add(new("kind", "Choose a report kind: REPORT_KIND_PER_USER, REPORT_KIND_PER_DEVICE, REPORT_KIND_SUMMARY or REPORT_KIND_FAILED_PER_USER."));
        }

        if (request.Domain.Length > MaxDomainLength)
        {
            problems.Add(new("domain", $"A domain name has at most {MaxDomainLength} characters; leave it empty to report on all domains."));
        }
        else
        {
            problems.Add("domain", InputRules.Text(request.Domain, MaxDomainLength));
        }

        problems.ThrowIfAny("The report request is invalid; nothing was generated.");

        var result = await generator.GenerateAsync(request.Kind, request.Domain.Trim(), context.CancellationToken);
        return result.Report is { } report
            ? new GenerateReportResponse { Report = report }
            : throw Problem.Unavailable(result.LicenseServerProblem!).ToRpcException();
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task<ListReportsResponse> ListReports(ListReportsRequest request, ServerCallContext context)
    {
        if (InputRules.Defined(request.Kind, allowUnspecified: true) is { } badKind)
        {
            throw Problem.Invalid("kind", badKind).ToRpcException();
        }

        var pageSize = PageSize(request.PageSize, DefaultReportsPageSize, MaxReportsPageSize);
        var before = long.MaxValue;
        if (request.PageToken.Length > 0 && !PageTokens.TryReadReports(request.PageToken, request.Kind, out before))
        {
            throw Problem.Invalid("page_token",
                "The page token is not one this service returned for this listing; start again with an empty page_token.").ToRpcException();
        }

        // One more than asked tells whether another page follows, so the last page has no token.
        var reports = await store.ListReportsAsync(request.Kind, before, pageSize + 1, context.CancellationToken);
        var response = new ListReportsResponse();
        response.Reports.AddRange(reports.Take(pageSize).Select(r => r.Report));
        if (reports.Count > pageSize)
        {
            response.NextPageToken = PageTokens.ForReports(request.Kind, reports[pageSize - 1].Sequence);
        }

        return response;
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task<GetReportEntriesResponse> GetReportEntries(GetReportEntriesRequest request, ServerCallContext context)
    {
        var reportId = ValidReportId(request.ReportId);
        var pageSize = PageSize(request.PageSize, DefaultEntriesPageSize, MaxEntriesPageSize);
        long after = 0;
        if (request.PageToken.Length > 0 && !PageTokens.TryReadEntries(request.PageToken, reportId, out after))
        {
            throw Problem.Invalid("page_token",
                "The page token is not one this service returned for this report; start again with an empty page_token.").ToRpcException();
        }

        var report = await FindAsync(reportId, context.CancellationToken);
        var entries = await store.ReadEntriesAsync(reportId, after, pageSize, context.CancellationToken);
        var response = new GetReportEntriesResponse { Total = report.EntryCount };
        response.Entries.AddRange(entries.Select(e => e.Entry));
        if (entries.Count == pageSize && entries[^1].Ordinal < report.EntryCount)
        {
            response.NextPageToken = PageTokens.ForEntries(reportId, entries[^1].Ordinal);
        }

        return response;
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task ExportReport(ExportReportRequest request, IServerStreamWriter<ExportReportChunk> responseStream, ServerCallContext context)
    {
        var reportId = ValidReportId(request.ReportId);
        var report = await FindAsync(reportId, context.CancellationToken);

        var text = new StringBuilder(ExportChunkBytes + 1024);
        var csv = new CsvWriter(text);
        csv.WriteRow(ReportCsv.Header(report.Kind));
        var pending = CsvWriter.Utf8Bom.ToArray();
        await foreach (var entry in store.StreamEntriesAsync(reportId, 0, 0, context.CancellationToken))
        {
            ReportCsv.WriteRow(csv, entry.Entry);
            if (text.Length >= ExportChunkBytes)
            {
                await responseStream.WriteAsync(MapToChunk(pending, text), context.CancellationToken);
                pending = [];
            }
        }

        await responseStream.WriteAsync(MapToChunk(pending, text), context.CancellationToken);
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task<DeleteReportResponse> DeleteReport(DeleteReportRequest request, ServerCallContext context)
    {
        var reportId = ValidReportId(request.ReportId);
        return await store.DeleteReportAsync(reportId, context.CancellationToken)
            ? new DeleteReportResponse()
            : throw NotFound(reportId);
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task<GetComplianceSummaryResponse> GetComplianceSummary(GetComplianceSummaryRequest request, ServerCallContext context)
    {
        var result = await compliance.GetAsync(context.CancellationToken);
        return result.Summary ?? throw Problem.Unavailable(result.LicenseServerProblem!).ToRpcException();
    }

    private async Task<Report> FindAsync(string reportId, CancellationToken cancellationToken) =>
        await store.FindReportAsync(reportId, cancellationToken) ?? throw NotFound(reportId);

    private static RpcException NotFound(string reportId) =>
        Problem.NotFound($"No stored report has the id '{reportId}'; it may have been deleted. ListReports shows the reports that exist.").ToRpcException();

    private static string ValidReportId(string reportId)
    {
        if (reportId.Length == 0)
        {
            throw Problem.Invalid("report_id", "Give the id of a stored report, as GenerateReport or ListReports returned it.").ToRpcException();
        }

        if (reportId.Length > MaxReportIdLength)
        {
            throw Problem.Invalid("report_id", $"A report id has at most {MaxReportIdLength} characters; use an id from ListReports.").ToRpcException();
        }

        if (InputRules.Text(reportId, MaxReportIdLength) is { } problem)
        {
            throw Problem.Invalid("report_id", problem).ToRpcException();
        }

        return reportId;
    }

    private static int PageSize(int requested, int defaultSize, int maxSize) => requested switch
    {
        < 0 => throw Problem.Invalid("page_size", $"The page size cannot be negative; use 0 for the default of {defaultSize}, or up to {maxSize}.").ToRpcException(),
        0 => defaultSize,
        _ => Math.Min(requested, maxSize),
    };

    private static ExportReportChunk MapToChunk(byte[] prefix, StringBuilder text)
    {
        var bytes = new byte[prefix.Length + Encoding.UTF8.GetByteCount(text.ToString())];
        prefix.CopyTo(bytes, 0);
        Encoding.UTF8.GetBytes(text.ToString(), bytes.AsSpan(prefix.Length));
        text.Clear();
        return new ExportReportChunk { Data = UnsafeByteOperations.UnsafeWrap(bytes) };
    }
}
