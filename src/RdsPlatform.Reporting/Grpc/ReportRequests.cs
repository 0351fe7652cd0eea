using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Grpc;
using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.Reporting.Grpc;

/// <summary>Input limits of the reporting requests; every refusal names the field and says what is allowed.</summary>
internal static class ReportRequests
{
    public const int MaxDomainLength = 255;
    public const int MaxReportIdLength = 64;

    public static List<FieldViolation> Generate(GenerateReportRequest request)
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

        return problems;
    }

    public static Outcome<ReportKind> ListedKind(ReportKind kind) =>
        InputRules.Defined(kind, allowUnspecified: true) is { } badKind ? Problem.Invalid("kind", badKind) : kind;

    public static Outcome<string> ReportId(string reportId)
    {
        if (reportId.Length == 0)
        {
            return Problem.Invalid("report_id", "Give the id of a stored report, as GenerateReport or ListReports returned it.");
        }

        if (reportId.Length > MaxReportIdLength)
        {
            return Problem.Invalid("report_id", $"A report id has at most {MaxReportIdLength} characters; use an id from ListReports.");
        }

        return InputRules.Text(reportId, MaxReportIdLength) is { } problem ? Problem.Invalid("report_id", problem) : reportId;
    }

    public static Outcome<int> PageSize(int requested, int defaultSize, int maxSize) => requested switch
    {
        < 0 => Problem.Invalid("page_size", $"The page size cannot be negative; use 0 for the default of {defaultSize}, or up to {maxSize}."),
        0 => defaultSize,
        _ => Math.Min(requested, maxSize),
    };
}
