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
                var d = entry.PerDevice;
                csv.WriteRow(d.HardwareId, d.ComputerName, Status(d.Status), Time(d.IssuedAt), Time(d.ExpiresAt), Version(d.ProductVersion), d.KeyPackId);
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

    private static string Time(Timestamp? time) =>
        time is null ? string.Empty : time.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Type(CalType type) => type switch
    {
        CalType.PerDevice => "Per Device",
        CalType.PerUser => "Per User",
        _ => string.Empty,
    };

    private static string Version(ProductVersion version) => version switch
    {
        ProductVersion._2016 => "Windows Server 2016",
        ProductVersion._2019 => "Windows Server 2019",
        ProductVersion._2022 => "Windows Server 2022",
        ProductVersion._2025 => "Windows Server 2025",
        _ => string.Empty,
    };

    private static string Status(CalStatus status) => CalStatusWords.Of(status) ?? string.Empty;

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
