using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Core = RdsPlatform.Licensing;
using Wire = RdsPlatform.Contracts.Common.V1;
using WireLicensing = RdsPlatform.Contracts.Licensing.V1;
using WireReporting = RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.ServiceDefaults.Mapping;

/// <summary>
/// The one translation between the licensing core's vocabulary and the contract's, used by every service. Every enum
/// maps in an explicit switch both ways: a core value without a contract value throws (a bug, caught by
/// EnumMappingTests), and a contract value the core has no word for (UNSPECIFIED, or a number a newer or hostile
/// caller sent) maps to null, which the adapters refuse as invalid input.
/// </summary>
public static partial class ContractMapping
{
    public static Wire.CalType ToContract(Core.CalType type) => type switch
    {
        Core.CalType.PerDevice => Wire.CalType.PerDevice,
        Core.CalType.PerUser => Wire.CalType.PerUser,
        _ => throw Unmapped(type),
    };

    public static Core.CalType? ToCore(Wire.CalType type) => type switch
    {
        Wire.CalType.PerDevice => Core.CalType.PerDevice,
        Wire.CalType.PerUser => Core.CalType.PerUser,
        _ => null,
    };

    public static Wire.ProductVersion ToContract(Core.ProductVersion version) => version switch
    {
        Core.ProductVersion.WindowsServer2016 => Wire.ProductVersion._2016,
        Core.ProductVersion.WindowsServer2019 => Wire.ProductVersion._2019,
        Core.ProductVersion.WindowsServer2022 => Wire.ProductVersion._2022,
        Core.ProductVersion.WindowsServer2025 => Wire.ProductVersion._2025,
        _ => throw Unmapped(version),
    };

    public static Core.ProductVersion? ToCore(Wire.ProductVersion version) => version switch
    {
        Wire.ProductVersion._2016 => Core.ProductVersion.WindowsServer2016,
        Wire.ProductVersion._2019 => Core.ProductVersion.WindowsServer2019,
        Wire.ProductVersion._2022 => Core.ProductVersion.WindowsServer2022,
        Wire.ProductVersion._2025 => Core.ProductVersion.WindowsServer2025,
        _ => null,
    };

    public static Wire.LicensingMode ToContract(Core.LicensingMode mode) => mode switch
    {
        Core.LicensingMode.NotConfigured => Wire.LicensingMode.NotConfigured,
        Core.LicensingMode.PerDevice => Wire.LicensingMode.PerDevice,
        Core.LicensingMode.PerUser => Wire.LicensingMode.PerUser,
        _ => throw Unmapped(mode),
    };

    public static Core.LicensingMode? ToCore(Wire.LicensingMode mode) => mode switch
    {
        Wire.LicensingMode.NotConfigured => Core.LicensingMode.NotConfigured,
        Wire.LicensingMode.PerDevice => Core.LicensingMode.PerDevice,
        Wire.LicensingMode.PerUser => Core.LicensingMode.PerUser,
        _ => null,
    };

    public static Wire.CalStatus ToContract(Core.CalStatus status) => status switch
    {
        Core.CalStatus.Temporary => Wire.CalStatus.Temporary,
        Core.CalStatus.Permanent => Wire.CalStatus.Permanent,
        Core.CalStatus.Revoked => Wire.CalStatus.Revoked,
        Core.CalStatus.Expired => Wire.CalStatus.Expired,
        Core.CalStatus.OverUsed => Wire.CalStatus.Overused,
        Core.CalStatus.Active => Wire.CalStatus.Active,
        _ => throw Unmapped(status),
    };

    public static Core.CalStatus? ToCore(Wire.CalStatus status) => status switch
    {
        Wire.CalStatus.Temporary => Core.CalStatus.Temporary,
        Wire.CalStatus.Permanent => Core.CalStatus.Permanent,
        Wire.CalStatus.Revoked => Core.CalStatus.Revoked,
        Wire.CalStatus.Expired => Core.CalStatus.Expired,
        Wire.CalStatus.Overused => Core.CalStatus.OverUsed,
        Wire.CalStatus.Active => Core.CalStatus.Active,
        _ => null,
    };

    public static Wire.KeyPackProgram ToContract(Core.KeyPackProgram program) => program switch
    {
        Core.KeyPackProgram.Retail => Wire.KeyPackProgram.Retail,
        Core.KeyPackProgram.OpenLicense => Wire.KeyPackProgram.OpenLicense,
        Core.KeyPackProgram.Agreement => Wire.KeyPackProgram.Agreement,
        _ => throw Unmapped(program),
    };

    public static Core.KeyPackProgram? ToCore(Wire.KeyPackProgram program) => program switch
    {
        Wire.KeyPackProgram.Retail => Core.KeyPackProgram.Retail,
        Wire.KeyPackProgram.OpenLicense => Core.KeyPackProgram.OpenLicense,
        Wire.KeyPackProgram.Agreement => Core.KeyPackProgram.Agreement,
        _ => null,
    };

    public static Wire.AgreementType ToContract(Core.AgreementType type) => type switch
    {
        Core.AgreementType.Select => Wire.AgreementType.Select,
        Core.AgreementType.Enterprise => Wire.AgreementType.Enterprise,
        Core.AgreementType.Campus => Wire.AgreementType.Campus,
        Core.AgreementType.School => Wire.AgreementType.School,
        Core.AgreementType.Spla => Wire.AgreementType.Spla,
        Core.AgreementType.Other => Wire.AgreementType.Other,
        _ => throw Unmapped(type),
    };

    public static Core.AgreementType? ToCore(Wire.AgreementType type) => type switch
    {
        Wire.AgreementType.Select => Core.AgreementType.Select,
        Wire.AgreementType.Enterprise => Core.AgreementType.Enterprise,
        Wire.AgreementType.Campus => Core.AgreementType.Campus,
        Wire.AgreementType.School => Core.AgreementType.School,
        Wire.AgreementType.Spla => Core.AgreementType.Spla,
        Wire.AgreementType.Other => Core.AgreementType.Other,
        _ => null,
    };

    public static Wire.ServerScope ToContract(Core.ServerScope scope) => scope switch
    {
        Core.ServerScope.Workgroup => Wire.ServerScope.Workgroup,
        Core.ServerScope.Domain => Wire.ServerScope.Domain,
        _ => throw Unmapped(scope),
    };

    public static Core.ServerScope? ToCore(Wire.ServerScope scope) => scope switch
    {
        Wire.ServerScope.Workgroup => Core.ServerScope.Workgroup,
        Wire.ServerScope.Domain => Core.ServerScope.Domain,
        _ => null,
    };

    public static WireLicensing.ActivationState ToContract(Core.ActivationStatus status) => status switch
    {
        Core.ActivationStatus.NotActivated => WireLicensing.ActivationState.NotActivated,
        Core.ActivationStatus.Activated => WireLicensing.ActivationState.Activated,
        Core.ActivationStatus.Deactivated => WireLicensing.ActivationState.Deactivated,
        _ => throw Unmapped(status),
    };

    public static Core.ActivationStatus? ToCore(WireLicensing.ActivationState state) => state switch
    {
        WireLicensing.ActivationState.NotActivated => Core.ActivationStatus.NotActivated,
        WireLicensing.ActivationState.Activated => Core.ActivationStatus.Activated,
        WireLicensing.ActivationState.Deactivated => Core.ActivationStatus.Deactivated,
        _ => null,
    };

    public static WireReporting.Availability ToContract(Core.PoolAvailability availability) => availability switch
    {
        Core.PoolAvailability.Available => WireReporting.Availability.Available,
        Core.PoolAvailability.Limited => WireReporting.Availability.Limited,
        Core.PoolAvailability.None => WireReporting.Availability.None,
        Core.PoolAvailability.NotTracking => WireReporting.Availability.NotTracking,
        _ => throw Unmapped(availability),
    };

    public static Core.PoolAvailability? ToCore(WireReporting.Availability availability) => availability switch
    {
        WireReporting.Availability.Available => Core.PoolAvailability.Available,
        WireReporting.Availability.Limited => Core.PoolAvailability.Limited,
        WireReporting.Availability.None => Core.PoolAvailability.None,
        WireReporting.Availability.NotTracking => Core.PoolAvailability.NotTracking,
        _ => null,
    };

    public static WireLicensing.AlertType ToContract(Core.AlertKind kind) => kind switch
    {
        Core.AlertKind.PoolLimited => WireLicensing.AlertType.PoolLimited,
        Core.AlertKind.PoolNone => WireLicensing.AlertType.PoolNone,
        Core.AlertKind.PoolOverUsed => WireLicensing.AlertType.PoolOverused,
        Core.AlertKind.RevokeCapReached => WireLicensing.AlertType.RevokeCapReached,
        Core.AlertKind.GracePeriodLow => WireLicensing.AlertType.GracePeriodLow,
        _ => throw Unmapped(kind),
    };

    public static Core.AlertKind? ToCore(WireLicensing.AlertType type) => type switch
    {
        WireLicensing.AlertType.PoolLimited => Core.AlertKind.PoolLimited,
        WireLicensing.AlertType.PoolNone => Core.AlertKind.PoolNone,
        WireLicensing.AlertType.PoolOverused => Core.AlertKind.PoolOverUsed,
        WireLicensing.AlertType.RevokeCapReached => Core.AlertKind.RevokeCapReached,
        WireLicensing.AlertType.GracePeriodLow => Core.AlertKind.GracePeriodLow,
        _ => null,
    };

    /// <summary>What a verified CAL certificate says, as the gateway shows it.</summary>
    public static Wire.CertificateDetails ToContract(Core.CalCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new()
        {
            LicenseId = certificate.LicenseId.ToString(),
            ServerId = certificate.IssuerId.ToString(),
            CalType = ToContract(certificate.Type),
            ProductVersion = ToContract(certificate.Version),
            Subject = certificate.Subject,
            Temporary = certificate.Temporary,
            OverUsed = certificate.OverUsed,
            IssuedAt = Timestamp.FromDateTimeOffset(certificate.IssuedAt),
            ExpiresAt = Timestamp.FromDateTimeOffset(certificate.ExpiresAt),
        };
    }

    /// <summary>Signed certificate bytes as the contract carries them (null stays null: no certificate to hand over).</summary>
    public static Wire.CalCertificate? ToContractCertificate(byte[]? certificate) =>
        certificate is null ? null : new Wire.CalCertificate { Data = ByteString.CopyFrom(certificate) };

    /// <summary>A time the contract carries as an optional timestamp.</summary>
    public static Timestamp? ToContract(DateTimeOffset? time) => time is { } t ? Timestamp.FromDateTimeOffset(t) : null;

    private static ArgumentOutOfRangeException Unmapped<T>(T value) where T : struct, System.Enum =>
        new(nameof(value), value, $"A {typeof(T).Name} without a contract value; add it to ContractMapping.");
}
