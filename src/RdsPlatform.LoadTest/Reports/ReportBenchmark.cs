using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.LoadTest.Reports;

/// <summary>How long one report took to generate and to export as CSV, and how big it was.</summary>
public sealed record ReportTiming(string ReportId, long Entries, TimeSpan Generate, TimeSpan Export, long CsvBytes, long CsvLines)
{
    public TimeSpan Total => Generate + Export;
}

/// <summary>Generates one report and streams its CSV export to a file (or nowhere), timing both.</summary>
public static class ReportBenchmark
{
    public static async Task<ReportTiming> RunAsync(Uri reporting, ReportKind kind, string? csvPath, Metadata? headers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(reporting, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 });
        var client = new Reporting.ReportingClient(channel);

        var started = Stopwatch.GetTimestamp();
        var generated = await client.GenerateReportAsync(new GenerateReportRequest { Kind = kind },
            new CallOptions(headers, DateTime.UtcNow + timeout, cancellationToken));
        var generate = Stopwatch.GetElapsedTime(started);

        started = Stopwatch.GetTimestamp();
        long bytes = 0;
        long lines = 0;
        await using (var output = csvPath is null ? Stream.Null : File.Create(csvPath))
        {
            using var export = client.ExportReport(new ExportReportRequest { ReportId = generated.Report.ReportId },
                new CallOptions(headers, DateTime.UtcNow + timeout, cancellationToken));
            await foreach (var chunk in export.ResponseStream.ReadAllAsync(cancellationToken))
            {
                var span = chunk.Data.Span;
                bytes += span.Length;
                lines += span.Count((byte)'\n');
                await output.WriteAsync(chunk.Data.Memory, cancellationToken);
            }
        }

        return new ReportTiming(generated.Report.ReportId, generated.Report.EntryCount, generate, Stopwatch.GetElapsedTime(started), bytes, lines);
    }
}
