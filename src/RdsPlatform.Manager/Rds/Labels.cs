using Google.Protobuf.WellKnownTypes;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.ServiceDefaults.Mapping;

namespace RdsPlatform.Manager.Rds;

/// <summary>The words RD Licensing Manager uses for the contracts' enum values.</summary>
public static class Labels
{
    public static readonly ProductVersion[] Versions = [ProductVersion._2016, ProductVersion._2019, ProductVersion._2022, ProductVersion._2025];

    public static readonly CalType[] CalTypes = [CalType.PerDevice, CalType.PerUser];

    public static readonly CalStatus[] Statuses =
        [CalStatus.Temporary, CalStatus.Permanent, CalStatus.Active, CalStatus.Overused, CalStatus.Revoked, CalStatus.Expired];

    public static readonly AgreementType[] AgreementTypes =
        [AgreementType.Select, AgreementType.Enterprise, AgreementType.Campus, AgreementType.School, AgreementType.Spla, AgreementType.Other];

    public static readonly LicensingMode[] Modes = [LicensingMode.PerDevice, LicensingMode.PerUser, LicensingMode.NotConfigured];

    public static string Of(ProductVersion version) => version switch
    {
        ProductVersion._2016 => "Windows Server 2016",
        ProductVersion._2019 => "Windows Server 2019",
        ProductVersion._2022 => "Windows Server 2022",
        ProductVersion._2025 => "Windows Server 2025",
        _ => "Not set",
    };

    /// <summary>"2022": for grid columns, where the full name would be cut.</summary>
    public static string Short(ProductVersion version) => Of(version).Replace("Windows Server ", "", StringComparison.Ordinal);

    public static string Of(CalType type) => type switch
    {
        CalType.PerDevice => "Per Device",
        CalType.PerUser => "Per User",
        _ => "Not set",
    };

    public static string Of(CalStatus status) => CalStatusWords.Of(status) ?? "Not set";

    public static string Of(KeyPackProgram program) => program switch
    {
        KeyPackProgram.Retail => "Retail",
        KeyPackProgram.OpenLicense => "Open License",
        KeyPackProgram.Agreement => "Agreement",
        _ => "Not set",
    };

    public static string Of(AgreementType type) => type switch
    {
        AgreementType.Select => "Select",
        AgreementType.Enterprise => "Enterprise",
        AgreementType.Campus => "Campus",
        AgreementType.School => "School",
        AgreementType.Spla => "SPLA",
        AgreementType.Other => "Other",
        _ => "",
    };

    public static string Of(LicensingMode mode) => mode switch
    {
        LicensingMode.PerDevice => "Per Device",
        LicensingMode.PerUser => "Per User",
        LicensingMode.NotConfigured => "Not configured",
        _ => "Not set",
    };

    public static string Of(Availability availability) => availability switch
    {
        Availability.Available => "Available",
        Availability.Limited => "Limited",
        Availability.None => "None",
        Availability.NotTracking => "Not Tracking",
        _ => "Unknown",
    };

    public static string Of(ActivationState state) => state switch
    {
        ActivationState.Activated => "Activated",
        ActivationState.NotActivated => "Not activated",
        ActivationState.Deactivated => "Deactivated",
        _ => "Unknown",
    };

    public static string Of(ReportKind kind) => kind switch
    {
        ReportKind.PerUser => "Per User CAL usage",
        ReportKind.PerDevice => "Per Device CALs",
        ReportKind.Summary => "Installed vs issued summary",
        ReportKind.FailedPerUser => "Failed Per User issuance",
        _ => "Not set",
    };

    public static string Of(Severity severity) => severity switch
    {
        Severity.Ok => "OK",
        Severity.Info => "Info",
        Severity.Warning => "Warning",
        Severity.Error => "Error",
        _ => "",
    };

    /// <summary>AUDIT_EVENT_TYPE_KEY_PACK_INSTALLED → "Key pack installed".</summary>
    public static string Of(AuditEventType type)
    {
        var words = System.Text.RegularExpressions.Regex.Replace(type.ToString(), "(?<!^)([A-Z])", " $1").ToLowerInvariant();
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    public static string Date(Timestamp? time) => time is null || time.Seconds == 0 ? "" : time.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);

    public static string Day(Timestamp? time) => time is null || time.Seconds == 0 ? "" : time.ToDateTimeOffset().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
