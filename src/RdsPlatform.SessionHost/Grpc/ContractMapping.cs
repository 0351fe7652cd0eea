using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using RdsPlatform.ServiceDefaults.Grpc;
using Core = RdsPlatform.Licensing;
using Wire = RdsPlatform.Contracts.Common.V1;

namespace RdsPlatform.SessionHost.Grpc;

/// <summary>Translations between the wire vocabulary (rds.common.v1) and the licensing core's.</summary>
internal static class ContractMapping
{
    public static Core.ProductVersion? ToCore(Wire.ProductVersion version) => version switch
    {
        Wire.ProductVersion._2016 => Core.ProductVersion.WindowsServer2016,
        Wire.ProductVersion._2019 => Core.ProductVersion.WindowsServer2019,
        Wire.ProductVersion._2022 => Core.ProductVersion.WindowsServer2022,
        Wire.ProductVersion._2025 => Core.ProductVersion.WindowsServer2025,
        _ => null,
    };

    public static Wire.ProductVersion ToWire(Core.ProductVersion version) => version switch
    {
        Core.ProductVersion.WindowsServer2016 => Wire.ProductVersion._2016,
        Core.ProductVersion.WindowsServer2019 => Wire.ProductVersion._2019,
        Core.ProductVersion.WindowsServer2022 => Wire.ProductVersion._2022,
        Core.ProductVersion.WindowsServer2025 => Wire.ProductVersion._2025,
        _ => Wire.ProductVersion.Unspecified,
    };

    public static Core.LicensingMode? ToCore(Wire.LicensingMode mode) => mode switch
    {
        Wire.LicensingMode.NotConfigured => Core.LicensingMode.NotConfigured,
        Wire.LicensingMode.PerDevice => Core.LicensingMode.PerDevice,
        Wire.LicensingMode.PerUser => Core.LicensingMode.PerUser,
        _ => null,
    };

    public static Wire.LicensingMode ToWire(Core.LicensingMode mode) => mode switch
    {
        Core.LicensingMode.PerDevice => Wire.LicensingMode.PerDevice,
        Core.LicensingMode.PerUser => Wire.LicensingMode.PerUser,
        _ => Wire.LicensingMode.NotConfigured,
    };

    public static Wire.CalType ToWire(Core.CalType type) => type == Core.CalType.PerUser ? Wire.CalType.PerUser : Wire.CalType.PerDevice;

    public static Core.CalType? ToCore(Wire.CalType type) => type switch
    {
        Wire.CalType.PerDevice => Core.CalType.PerDevice,
        Wire.CalType.PerUser => Core.CalType.PerUser,
        _ => null,
    };

    /// <summary>A reason from the license server, in the core's terms (null for reasons the core has no word for).</summary>
    public static Core.ReasonCode? ToCore(Wire.ReasonCode reason) => ReasonCodeMapping.ToCore(reason);

    public static Wire.ReasonCode ToWire(Core.ReasonCode reason) => ReasonCodeMapping.ToContract(reason);

    public static Wire.CertificateDetails ToWire(Core.CalCertificate certificate) => new()
    {
        LicenseId = certificate.LicenseId.ToString(),
        ServerId = certificate.IssuerId.ToString(),
        CalType = ToWire(certificate.Type),
        ProductVersion = ToWire(certificate.Version),
        Subject = certificate.Subject,
        Temporary = certificate.Temporary,
        OverUsed = certificate.OverUsed,
        IssuedAt = Timestamp.FromDateTimeOffset(certificate.IssuedAt),
        ExpiresAt = Timestamp.FromDateTimeOffset(certificate.ExpiresAt),
    };

    public static Wire.CalCertificate ToWireCertificate(byte[] bytes) => new() { Data = ByteString.CopyFrom(bytes) };
}
