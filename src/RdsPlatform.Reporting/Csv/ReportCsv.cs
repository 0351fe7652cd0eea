using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.ServiceDefaults.Mapping;

namespace RdsPlatform.Reporting.Csv;

/// <summary>The CSV columns of each report kind, as RD Licensing Manager names them, and one row per entry.</summary>
public static class ReportCsv
{
    public static string[] Header(ReportKind kind) => kind switch
    {
        ReportKind.PerUser => ["Domain", "User", "Expires (UTC)", "CAL Type", "CAL Version", "Status", "Tracking"],
        ReportKind.PerDevice => ["Hardware ID", "Computer Name", "Status", "Issued (UTC)", "Expires (UTC)", "CAL Version", "Key Pack ID"],
        ReportKind.Summary => ["CAL Version", "CAL Type", "Installed", "Issued", "Available", "OverUsed", "Temporary", "Availability"],
        _ => ["Domain", "User", "Tried On (UTC)", "CAL Type", "CAL Version", "Reason", "Detail", "Session Host"],
    };

    public static void WriteRow(CsvWriter csv, ReportEntry entry)
    {
        switch (entry.EntryCase)
        {
            case ReportEntry.EntryOneofCase.PerUser:
                var u = entry.PerUser;
                csv.WriteRow(u.UserDomain, u.UserName, Time(u.ExpiresAt), Type(u.CalType), Version(u.ProductVersion), Status(u.Status), u.Tracking);
                break;
            case ReportEntry.EntryOneofCase.PerDevice:
                // Field by field: the 1M-CAL report's export writes a million of these rows, and its times are
                // formatted without a string each.
                var d = entry.PerDevice;
                csv.WriteField(d.HardwareId);
                csv.WriteField(d.ComputerName);
                csv.WriteField(Status(d.Status));
                WriteTime(csv, d.IssuedAt);
                WriteTime(csv, d.ExpiresAt);
                csv.WriteField(Version(d.ProductVersion));
                csv.WriteField(d.KeyPackId);
                csv.EndRow();
                break;
            case ReportEntry.EntryOneofCase.Summary:
                var s = entry.Summary;
                csv.WriteRow(Version(s.ProductVersion), Type(s.CalType), Number(s.Installed), Number(s.Issued), Number(s.Available),
                    Number(s.Overused), Number(s.Temporary), Availability(s.Availability));
                break;
            case ReportEntry.EntryOneofCase.FailedPerUser:
                var f = entry.FailedPerUser;
                csv.WriteRow(f.UserDomain, f.UserName, Time(f.TriedAt), Type(f.CalType), Version(f.ProductVersion), Reason(f.Reason), f.Detail, f.SessionHostId);
                break;
        }
    }

    private static string Time(Timestamp? time)
    {
        Span<char> text = stackalloc char[TimeLength];
        return FormatTime(time, text).ToString();
    }

    private static void WriteTime(CsvWriter csv, Timestamp? time)
    {
        Span<char> text = stackalloc char[TimeLength];
        csv.WriteField(FormatTime(time, text));
    }

    private const int TimeLength = 19;

    /// <summary>
    /// "yyyy-MM-dd HH:mm:ss" in UTC, to the second (truncated): the sortable standard format "s", which .NET formats
    /// without parsing a pattern, with its 'T' made a space.
    /// </summary>
    private static ReadOnlySpan<char> FormatTime(Timestamp? time, Span<char> text)
    {
        if (time is null)
        {
            return [];
        }

        time.ToDateTime().TryFormat(text, out var written, "s", CultureInfo.InvariantCulture);
        text[10] = ' ';
        return text[..written];
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Type(CalType type) => type switch
    {
        CalType.PerDevice => "Per Device",
        CalType.PerUser => "Per User",
        _ => string.Empty,
    };

    internal static string Version(ProductVersion version) => version switch
    {
        ProductVersion._2016 => "Windows Server 2016",
        ProductVersion._2019 => "Windows Server 2019",
        ProductVersion._2022 => "Windows Server 2022",
        ProductVersion._2025 => "Windows Server 2025",
        _ => string.Empty,
    };

    internal static string Status(CalStatus status) => CalStatusWords.Of(status) ?? string.Empty;

    private static string Availability(Availability availability) => availability switch
    {
        Contracts.Reporting.V1.Availability.Available => "Available",
        Contracts.Reporting.V1.Availability.Limited => "Limited",
        Contracts.Reporting.V1.Availability.None => "None",
        Contracts.Reporting.V1.Availability.NotTracking => "Not Tracking",
        _ => string.Empty,
    };

    private static string Reason(ReasonCode reason) => reason == ReasonCode.Unspecified ? string.Empty : reason.ToString();
}
