// rdslic report: generates, lists, shows, exports and deletes usage reports.
using System.ComponentModel;
using Grpc.Core;
using RdsPlatform.Cli.Infrastructure;
using RdsPlatform.Contracts.Reporting.V1;
using Spectre.Console.Cli;

namespace RdsPlatform.Cli.Commands;

public sealed class ReportGenerateSettings : GlobalSettings
{
    [CommandOption("--kind <KIND>")]
    [Description("per-user, per-device, summary or failed-per-user.")]
    public string? Kind { get; init; }

    [CommandOption("--domain <DOMAIN>")]
    [Description("Limit the report to one domain.")]
    public string? Domain { get; init; }
}

public sealed class ReportListSettings : GlobalSettings
{
    [CommandOption("--kind <KIND>")]
    [Description("Only reports of this kind.")]
    public string? Kind { get; init; }

    [CommandOption("--limit <N>")]
    [Description("At most this many reports, newest first (default 100).")]
    public int? Limit { get; init; }
}

public class ReportIdSettings : GlobalSettings
{
    [CommandArgument(0, "<REPORT_ID>")]
    public string ReportId { get; init; } = "";
}

public sealed class ReportShowSettings : ReportIdSettings
{
    [CommandOption("--limit <N>")]
    [Description("At most this many entries (default 100).")]
    public int? Limit { get; init; }
}

public sealed class ReportExportSettings : ReportIdSettings
{
    [CommandOption("-o|--output <FILE>")]
    [Description("Where to write the CSV; '-' for standard output.")]
    public string? Output { get; init; }
}

[Description("Generate and store a report snapshot.")]
public sealed class ReportGenerateCommand(CliHost host) : RdsCommand<ReportGenerateSettings>(host)
{
    protected override async Task<int> RunAsync(ReportGenerateSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        if (settings.Kind is null)
        {
            throw new UsageException($"Say which report to generate with --kind: {string.Join(", ", Values.Choices<ReportKind>())}.");
        }

        var request = new GenerateReportRequest { Kind = Values.ParseEnum<ReportKind>(settings.Kind, "--kind"), Domain = settings.Domain ?? "" };
        var response = await WithProgressAsync("Generating report...",
            () => clients.Reporting().GenerateReportAsync(request, clients.LongCall(cancellationToken)).ResponseAsync);
        if (settings.Json)
        {
            Output.Json(Host, response);
            return ExitCodes.Ok;
        }

        Output.Line(Host, $"Generated report {response.Report.ReportId} ({Values.Display(response.Report.Kind)}) with {response.Report.EntryCount} entries.");
        ReportView.ShowReports(Host, [response.Report]);
        return ExitCodes.Ok;
    }
}

[Description("List stored reports, newest first.")]
public sealed class ReportListCommand(CliHost host) : RdsCommand<ReportListSettings>(host)
{
    protected override async Task<int> RunAsync(ReportListSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var limit = settings.Limit ?? 100;
        if (limit <= 0)
        {
            throw new UsageException("--limit must be a positive number.");
        }

        var kind = Values.ParseOptionalEnum<ReportKind>(settings.Kind, "--kind");
        var reporting = clients.Reporting();
        var all = new ListReportsResponse();
        var token = "";
        do
        {
            var page = await reporting.ListReportsAsync(
                new ListReportsRequest { Kind = kind, PageSize = Math.Min(100, limit - all.Reports.Count), PageToken = token }, clients.Call(cancellationToken));
            all.Reports.AddRange(page.Reports);
            token = page.NextPageToken;
        }
        while (token.Length > 0 && all.Reports.Count < limit);

        all.NextPageToken = token;
        if (settings.Json)
        {
            Output.Json(Host, all);
        }
        else if (all.Reports.Count == 0)
        {
            Output.Line(Host, "No reports are stored. Generate one with 'rdslic report generate --kind summary'.");
        }
        else
        {
            ReportView.ShowReports(Host, all.Reports);
            if (token.Length > 0)
            {
                Output.Line(Host, $"More reports exist; raise --limit (now {limit}) to see them.");
            }
        }

        return ExitCodes.Ok;
    }
}

[Description("Show a stored report's entries.")]
public sealed class ReportShowCommand(CliHost host) : RdsCommand<ReportShowSettings>(host)
{
    protected override async Task<int> RunAsync(ReportShowSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var limit = settings.Limit ?? 100;
        if (limit <= 0)
        {
            throw new UsageException("--limit must be a positive number.");
        }

        var reporting = clients.Reporting();
        var all = new GetReportEntriesResponse();
        var token = "";
        do
        {
            var page = await reporting.GetReportEntriesAsync(
                new GetReportEntriesRequest { ReportId = settings.ReportId, PageSize = Math.Min(1000, limit - all.Entries.Count), PageToken = token }, clients.Call(cancellationToken));
            all.Entries.AddRange(page.Entries);
            all.Total = page.Total;
            token = page.NextPageToken;
        }
        while (token.Length > 0 && all.Entries.Count < limit);

        all.NextPageToken = token;
        if (settings.Json)
        {
            Output.Json(Host, all);
            return ExitCodes.Ok;
        }

        ReportView.ShowEntries(Host, all.Entries);
        Output.Line(Host, all.Entries.Count < all.Total
            ? $"Showing {all.Entries.Count} of {all.Total} entries; raise --limit or use 'rdslic report export' for all."
            : $"{all.Total} entries.");
        return ExitCodes.Ok;
    }
}

[Description("Export a stored report as CSV to a file or standard output.")]
public sealed class ReportExportCommand(CliHost host) : RdsCommand<ReportExportSettings>(host)
{
    protected override async Task<int> RunAsync(ReportExportSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Output))
        {
            throw new UsageException("Say where to write the CSV with --output FILE, or --output - for standard output.");
        }

        var toStdout = settings.Output == "-";
        var target = toStdout ? null : Path.GetFullPath(settings.Output);
        // A failed export must not leave half a file where the old one was.
        var partial = target is null ? null : target + ".partial";
        long bytes;
        try
        {
            bytes = await WithProgressAsync("Exporting report...", async () =>
            {
                await using var destination = toStdout ? Host.OpenStandardOutput() : File.Create(partial!);
                long written = 0;
                using var call = clients.Reporting().ExportReport(new ExportReportRequest { ReportId = settings.ReportId }, clients.LongCall(cancellationToken));
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    await destination.WriteAsync(chunk.Data.Memory, cancellationToken);
                    written += chunk.Data.Length;
                }

                await destination.FlushAsync(cancellationToken);
                return written;
            });
            if (partial is not null)
            {
                File.Move(partial, target!, overwrite: true);
            }
        }
        finally
        {
            if (partial is not null && File.Exists(partial))
            {
                File.Delete(partial);
            }
        }

        if (toStdout)
        {
            return ExitCodes.Ok;
        }

        if (settings.Json)
        {
            Output.JsonValue(Host, new { reportId = settings.ReportId, output = target, bytes });
        }
        else
        {
            Output.Line(Host, $"Exported report {settings.ReportId} to {target} ({bytes} bytes).");
        }

        return ExitCodes.Ok;
    }
}

[Description("Delete a stored report.")]
public sealed class ReportDeleteCommand(CliHost host) : RdsCommand<ReportIdSettings>(host)
{
    protected override async Task<int> RunAsync(ReportIdSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        await clients.Reporting().DeleteReportAsync(new DeleteReportRequest { ReportId = settings.ReportId }, clients.Call(cancellationToken));
        if (settings.Json)
        {
            Output.JsonValue(Host, new { reportId = settings.ReportId, deleted = true });
        }
        else
        {
            Output.Line(Host, $"Deleted report {settings.ReportId}.");
        }

        return ExitCodes.Ok;
    }
}

internal static class ReportView
{
    public static void ShowReports(CliHost host, IEnumerable<Report> reports)
    {
        var table = Output.Table("Report", "Kind", "Domain", "Generated", "Entries", "Totals");
        foreach (var report in reports)
        {
            Output.Row(table, report.ReportId, Values.Display(report.Kind), Values.Empty(report.Domain), Values.Display(report.GeneratedAt),
                report.EntryCount.ToString(), string.Join(", ", report.Totals.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}")));
        }

        host.Out.Write(table);
    }

    public static void ShowEntries(CliHost host, IReadOnlyList<ReportEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var table = entries[0].EntryCase switch
        {
            ReportEntry.EntryOneofCase.PerUser => Output.Table("Domain", "User", "Expires", "Type", "Version", "Status", "Tracking"),
            ReportEntry.EntryOneofCase.PerDevice => Output.Table("Hardware id", "Computer", "Status", "Issued", "Expires", "Version", "Key pack"),
            ReportEntry.EntryOneofCase.Summary => SummaryView.Table(),
            _ => Output.Table("Domain", "User", "Tried", "Type", "Version", "Reason", "Detail", "Session host"),
        };
        foreach (var entry in entries)
        {
            switch (entry.EntryCase)
            {
                case ReportEntry.EntryOneofCase.PerUser:
                    var u = entry.PerUser;
                    Output.Row(table, Values.Empty(u.UserDomain), u.UserName, Values.Display(u.ExpiresAt), Values.Display(u.CalType), Values.Display(u.ProductVersion),
                        Values.Display(u.Status), Values.Empty(u.Tracking));
                    break;
                case ReportEntry.EntryOneofCase.PerDevice:
                    var d = entry.PerDevice;
                    Output.Row(table, d.HardwareId, Values.Empty(d.ComputerName), Values.Display(d.Status), Values.Display(d.IssuedAt), Values.Display(d.ExpiresAt),
                        Values.Display(d.ProductVersion), Values.Empty(d.KeyPackId));
                    break;
                case ReportEntry.EntryOneofCase.Summary:
                    SummaryView.Row(table, entry.Summary);
                    break;
                case ReportEntry.EntryOneofCase.FailedPerUser:
                    var f = entry.FailedPerUser;
                    Output.Row(table, Values.Empty(f.UserDomain), f.UserName, Values.Display(f.TriedAt), Values.Display(f.CalType), Values.Display(f.ProductVersion),
                        Values.Display(f.Reason), f.Detail, Values.Empty(f.SessionHostId));
                    break;
            }
        }

        host.Out.Write(table);
    }
}

internal static class SummaryView
{
    public static Spectre.Console.Table Table() => Output.Table("Version", "Type", "Installed", "Issued", "Available", "Over-used", "Temporary", "Availability");

    public static void Row(Spectre.Console.Table table, SummaryEntry s)
        => Output.Row(table, Values.Display(s.ProductVersion), Values.Display(s.CalType), s.Installed.ToString(), s.Issued.ToString(), s.Available.ToString(),
            s.Overused.ToString(), s.Temporary.ToString(), Values.Display(s.Availability));
}
