using System.Text;
using Google.Protobuf;
using Grpc.Core;
using RdsPlatform.Reporting.Application;
using RdsPlatform.Reporting.Compliance;
using RdsPlatform.Reporting.Csv;
using RdsPlatform.Reporting.Generation;
using RdsPlatform.Reporting.Storage;
using RdsPlatform.ServiceDefaults.Outcomes;
using RdsPlatform.ServiceDefaults.Security;

namespace RdsPlatform.Reporting.Grpc;

/// <summary>
/// <c>rds.reporting.v1.Reporting</c>: the reports of RD Licensing Manager, stored as snapshots. Checks requests, calls
/// the generator, the catalog of stored reports and the compliance summary, and turns their outcomes into answers or,
/// through the shared <see cref="ProblemExtensions.ToRpcException"/>, into status codes.
/// </summary>
public sealed class ReportingService(ReportGenerator generator, ReportCatalog catalog, IReportStore store, ComplianceSummaryProvider compliance)
    : Contracts.Reporting.V1.Reporting.ReportingBase
{
    public const int MaxDomainLength = ReportRequests.MaxDomainLength;
    public const int MaxReportIdLength = ReportRequests.MaxReportIdLength;
    public const int DefaultReportsPageSize = 20;
    public const int MaxReportsPageSize = 100;
    public const int DefaultEntriesPageSize = 100;
    public const int MaxEntriesPageSize = 1000;
    public const int ExportChunkBytes = 32 * 1024;

    /// <summary>Stored pages (about 60 KiB each) read ahead of a Per Device export's CSV writing.</summary>
    private const int ExportPagesAhead = 4;

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task<GenerateReportResponse> GenerateReport(GenerateReportRequest request, ServerCallContext context)
    {
        ReportRequests.Generate(request).ThrowIfAny("The report request is invalid; nothing was generated.");
        var report = (await generator.GenerateAsync(request.Kind, request.Domain.Trim(), context.CancellationToken)).ValueOrThrow();
        return new GenerateReportResponse { Report = report };
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task<ListReportsResponse> ListReports(ListReportsRequest request, ServerCallContext context)
    {
        var kind = ReportRequests.ListedKind(request.Kind).ValueOrThrow();
        var pageSize = ReportRequests.PageSize(request.PageSize, DefaultReportsPageSize, MaxReportsPageSize).ValueOrThrow();
        return (await catalog.ListAsync(kind, request.PageToken, pageSize, context.CancellationToken)).ValueOrThrow();
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task<GetReportEntriesResponse> GetReportEntries(GetReportEntriesRequest request, ServerCallContext context)
    {
        var reportId = ReportRequests.ReportId(request.ReportId).ValueOrThrow();
        var pageSize = ReportRequests.PageSize(request.PageSize, DefaultEntriesPageSize, MaxEntriesPageSize).ValueOrThrow();
        return (await catalog.ReadEntriesAsync(reportId, request.PageToken, pageSize, context.CancellationToken)).ValueOrThrow();
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task ExportReport(ExportReportRequest request, IServerStreamWriter<ExportReportChunk> responseStream, ServerCallContext context)
    {
        var reportId = ReportRequests.ReportId(request.ReportId).ValueOrThrow();
        var report = (await catalog.FindAsync(reportId, context.CancellationToken)).ValueOrThrow();
        if (report.Kind == ReportKind.PerDevice)
        {
            await ExportPerDeviceAsync(reportId, responseStream, context.CancellationToken);
            return;
        }

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
        var reportId = ReportRequests.ReportId(request.ReportId).ValueOrThrow();
        return (await catalog.DeleteAsync(reportId, context.CancellationToken)).ValueOrThrow();
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task<GetComplianceSummaryResponse> GetComplianceSummary(GetComplianceSummaryRequest request, ServerCallContext context) =>
        (await compliance.GetAsync(context.CancellationToken)).ValueOrThrow();

    /// <summary>
    /// A Per Device report's CSV written from the stored pages' bytes (<see cref="PerDeviceCsv"/>): the same text, chunks
    /// and byte order mark as the export of the other kinds, without parsing a million entries.
    /// </summary>
    private async Task ExportPerDeviceAsync(string reportId, IServerStreamWriter<ExportReportChunk> responseStream, CancellationToken cancellationToken)
    {
        var rows = new PerDeviceCsv(ExportChunkBytes);
        rows.Append(CsvWriter.Utf8Bom);
        var header = new StringBuilder();
        new CsvWriter(header).WriteRow(ReportCsv.Header(ReportKind.PerDevice));
        rows.Append(header.ToString());
        // The next pages are read from the store on another task while this one writes the last page's rows.
        await foreach (var page in ReadAhead.Of(ExportPagesAhead, stop => store.StreamEntryPagesAsync(reportId, stop), cancellationToken))
        {
            for (var at = 0; at < page.Entries.Length;)
            {
                at = rows.WriteRows(page.Entries, at);
                if (rows.Length >= ExportChunkBytes)
                {
                    await responseStream.WriteAsync(new ExportReportChunk { Data = UnsafeByteOperations.UnsafeWrap(rows.TakeChunk()) }, cancellationToken);
                }
            }
        }

        await responseStream.WriteAsync(new ExportReportChunk { Data = UnsafeByteOperations.UnsafeWrap(rows.TakeChunk()) }, cancellationToken);
    }

    private static ExportReportChunk MapToChunk(byte[] prefix, StringBuilder text)
    {
        // One string per chunk (about 32 KiB), encoded straight into the chunk's own array.
        var chars = text.ToString();
        var bytes = new byte[prefix.Length + Encoding.UTF8.GetByteCount(chars)];
        prefix.CopyTo(bytes, 0);
        Encoding.UTF8.GetBytes(chars, bytes.AsSpan(prefix.Length));
        text.Clear();
        return new ExportReportChunk { Data = UnsafeByteOperations.UnsafeWrap(bytes) };
    }
}
