using System.Diagnostics;
using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Reporting.Storage;
using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.Reporting.Generation;

/// <summary>
/// Builds report snapshots from the license server's streams, writing entries to the store as they arrive
/// (never the whole list in memory). The report row is written last, so a failed generation stores nothing.
/// </summary>
public sealed partial class ReportGenerator(
    LicenseServerReader reader,
    FarmSummaries summaries,
    IReportStore store,
    TimeProvider clock,
    ReportingMetrics metrics,
    IOptions<ReportingOptions> options,
    ILogger<ReportGenerator> logger)
{
    public const string NotTracking = "Not Tracking";
    public const string NoDomain = "(no domain)";

    /// <summary>The stored report, or Unavailable with why the license server could not be read (nothing is stored then).</summary>
    public async Task<Outcome<Report>> GenerateAsync(ReportKind kind, string domain, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var generatedAt = clock.GetUtcNow();
        var reportId = Guid.CreateVersion7(generatedAt).ToString();
        try
        {
            // A summary reads the server's identity with its pools (shared by concurrent summaries); a listing reads it here.
            var server = kind is ReportKind.PerUser or ReportKind.PerDevice ? await reader.GetServerAsync(cancellationToken) : null;
            var pools = kind == ReportKind.Summary ? (await summaries.GetAsync(domain, cancellationToken)).Pools : null;
            await using var writer = store.BeginReport(reportId, options.Value.InsertBatchSize);
            // A summary's few rows and its report row are one burst of writes: on a one-writer engine they queue here
            // (asynchronously, in order) rather than in the engine, whose busy retries sleep a thread each.
            using var turn = pools is not null && store is ISingleWriterStore single ? await single.EnterWriteAsync(cancellationToken) : null;
            var totals = kind switch
            {
                ReportKind.PerUser => await WritePerUserAsync(writer, server!, domain, cancellationToken),
                ReportKind.PerDevice => await WritePerDeviceAsync(writer, server!, domain, cancellationToken),
                ReportKind.Summary => WriteSummary(writer, pools!),
                _ => await WriteFailedPerUserAsync(writer, domain, cancellationToken),
            };

            var report = new Report
            {
                ReportId = reportId,
                Kind = kind,
                Domain = domain,
                GeneratedAt = Timestamp.FromDateTimeOffset(generatedAt),
                EntryCount = writer.Count,
                Totals = { totals },
            };
            writer.Complete(report);
            var elapsed = Stopwatch.GetElapsedTime(started);
            metrics.RecordGenerated(kind, elapsed);
            LogGenerated(reportId, kind, domain, writer.Count, elapsed.TotalMilliseconds);
            return report;
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogLicenseServerFailed(ex, kind, ex.StatusCode);
            return Problem.Unavailable(LicenseServerReader.Describe(ex, "so no report was stored"));
        }
    }

    private async Task<Dictionary<string, long>> WritePerUserAsync(IReportWriter writer, ServerInfo server, string domain, CancellationToken cancellationToken)
    {
        var totals = NewTotals("users", "active", "overused", "temporary", "not_tracking");
        var workgroup = server.Scope == ServerScope.Workgroup;
        var request = new ListIssuedLicensesRequest { CalType = CalType.PerUser, UserDomain = domain };
        await foreach (var license in reader.StreamLicensesAsync(request, cancellationToken))
        {
            var (userDomain, userName) = UserOf(license);
            if (!InDomain(userDomain, domain))
            {
                continue;
            }

            // R12: Per User CALs are tracked only in a domain.
            var tracking = workgroup || userDomain.Length == 0 ? NotTracking : string.Empty;
            writer.Add(new ReportEntry
            {
                PerUser = new PerUserEntry
                {
                    UserDomain = userDomain,
                    UserName = userName,
                    ExpiresAt = license.ExpiresAt,
                    CalType = license.CalType,
                    ProductVersion = license.ProductVersion,
                    Status = license.Status,
                    Tracking = tracking,
                },
            });
            totals["users"]++;
            CountStatus(totals, license.Status);
            Count(totals, tracking.Length > 0 ? "not_tracking" : null);
        }

        await WriteNotTrackedUsersAsync(writer, totals, domain, cancellationToken);
        return totals;
    }

    /// <summary>
    /// R12: users outside a domain get no CAL, only an audit entry; each such user is listed once as Not Tracking.
    /// The set of names seen is the one thing held in memory, and it grows with untracked users, not with CALs.
    /// </summary>
    private async Task WriteNotTrackedUsersAsync(IReportWriter writer, Dictionary<string, long> totals, string domain, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var request = new GetAuditTrailRequest { Types_ = { AuditEventType.IssuanceFailed } };
        await foreach (var (audit, userDomain, userName) in PerUserAuditAsync(request, domain, cancellationToken))
        {
            if (audit.Reason != ReasonCode.PerUserNotTracked || !seen.Add(audit.Subject))
            {
                continue;
            }

            writer.Add(new ReportEntry
            {
                PerUser = new PerUserEntry
                {
                    UserDomain = userDomain,
                    UserName = userName,
                    CalType = CalType.PerUser,
                    ProductVersion = audit.ProductVersion,
                    Tracking = NotTracking,
                },
            });
            totals["users"]++;
            totals["not_tracking"]++;
        }
    }

    private async Task<Dictionary<string, long>> WritePerDeviceAsync(IReportWriter writer, ServerInfo server, string domain, CancellationToken cancellationToken)
    {
        var totals = NewTotals("devices", "permanent", "temporary", "revoked", "expired");

        // Devices carry no domain of their own: they belong to the domain of the license server that licensed them.
        if (!InDomain(server.Domain, domain))
        {
            return totals;
        }

        // Each CAL's entry is copied from the page's bytes (PerDeviceEntries), not parsed and built again.
        var statuses = new long[(int)CalStatus.Active + 1];
        await foreach (var page in reader.StreamEncodedLicensePagesAsync(new ListIssuedLicensesRequest { CalType = CalType.PerDevice }, cancellationToken))
        {
            using (page)
            {
                totals["devices"] += PerDeviceEntries.Add(page.Bytes, writer, statuses);
            }
        }

        for (var status = 0; status < statuses.Length; status++)
        {
            CountStatus(totals, (CalStatus)status, statuses[status]);
        }

        return totals;
    }

    private static Dictionary<string, long> WriteSummary(IReportWriter writer, IReadOnlyList<SummaryEntry> pools)
    {
        var totals = NewTotals("installed", "issued", "available", "overused", "temporary");
        foreach (var pool in pools)
        {
            writer.Add(new ReportEntry { Summary = pool });
            totals["installed"] += pool.Installed;
            totals["issued"] += pool.Issued;
            totals["available"] += pool.Available;
            totals["overused"] += pool.Overused;
            totals["temporary"] += pool.Temporary;
        }

        return totals;
    }

    private async Task<Dictionary<string, long>> WriteFailedPerUserAsync(IReportWriter writer, string domain, CancellationToken cancellationToken)
    {
        var totals = NewTotals("failed");
        var request = new GetAuditTrailRequest { Types_ = { AuditEventType.IssuanceFailed, AuditEventType.LicenseOverused } };
        await foreach (var (audit, userDomain, userName) in PerUserAuditAsync(request, domain, cancellationToken))
        {
            writer.Add(new ReportEntry
            {
                FailedPerUser = new FailedPerUserEntry
                {
                    UserDomain = userDomain,
                    UserName = userName,
                    TriedAt = audit.OccurredAt,
                    CalType = audit.CalType,
                    ProductVersion = audit.ProductVersion,
                    Reason = audit.Reason,
                    Detail = audit.Detail,
                    SessionHostId = audit.SessionHostId,
                },
            });
            totals["failed"]++;
            Count(totals, "domain:" + (userDomain.Length == 0 ? NoDomain : userDomain.ToUpperInvariant()));
        }

        return totals;
    }

    /// <summary>Per User audit events of users in the report's scope, with the user split out of the subject.</summary>
    private async IAsyncEnumerable<(AuditEvent Audit, string Domain, string Name)> PerUserAuditAsync(
        GetAuditTrailRequest request, string domain, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var audit in reader.StreamAuditAsync(request, cancellationToken))
        {
            if (audit.CalType != CalType.PerUser)
            {
                continue;
            }

            var (userDomain, userName) = SplitSubject(audit.Subject);
            if (InDomain(userDomain, domain))
            {
                yield return (audit, userDomain, userName);
            }
        }
    }

    internal static (string Domain, string Name) UserOf(IssuedLicense license) =>
        license.UserName.Length > 0 ? (license.UserDomain, license.UserName) : SplitSubject(license.Subject);

    /// <summary>The domain and user of a stored Per User subject (<see cref="Licensing.CalSubject.Parse"/>).</summary>
    private static (string Domain, string Name) SplitSubject(string subject)
    {
        var user = Licensing.CalSubject.Parse(Licensing.CalType.PerUser, subject);
        return (user.Domain, user.UserName);
    }

    internal static bool InDomain(string candidate, string scope) =>
        scope.Length == 0 || string.Equals(candidate, scope, StringComparison.OrdinalIgnoreCase);

    private static Dictionary<string, long> NewTotals(params string[] keys) => keys.ToDictionary(k => k, _ => 0L, StringComparer.Ordinal);

    /// <summary>
    /// A report totals the statuses it lists under the status's lower-case name (Per User: active, overused, temporary;
    /// Per Device: permanent, temporary, revoked, expired); a status the report does not total is not counted.
    /// </summary>
    private static void CountStatus(Dictionary<string, long> totals, CalStatus status, long count = 1)
    {
        var key = status.ToString().ToLowerInvariant();
        if (totals.ContainsKey(key))
        {
            totals[key] += count;
        }
    }

    private static void Count(Dictionary<string, long> totals, string? key)
    {
        if (key is not null)
        {
            totals[key] = totals.GetValueOrDefault(key) + 1;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated report {ReportId} ({Kind}, domain '{Domain}') with {EntryCount} entries in {ElapsedMs} ms")]
    private partial void LogGenerated(string reportId, ReportKind kind, string domain, long entryCount, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {Kind} not generated: the license server answered {StatusCode}")]
    private partial void LogLicenseServerFailed(Exception exception, ReportKind kind, StatusCode statusCode);
}
