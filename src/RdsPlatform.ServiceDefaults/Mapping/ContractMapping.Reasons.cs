using Core = RdsPlatform.Licensing;
using Wire = RdsPlatform.Contracts.Common.V1;

namespace RdsPlatform.ServiceDefaults.Mapping;

// Reason codes between the core and the contract (part of ContractMapping), used by every service for answers and
// audit events alike, so one outcome always carries the same wire reason. The contract's reasons describe what happened
// to a connection or a CAL; the core's administrative outcomes (activation, key packs) and refusals that travel as gRPC
// status codes have no wire reason and map to UNSPECIFIED on purpose.
public static partial class ContractMapping
{
    public static Wire.ReasonCode ToContract(Core.ReasonCode reason) => reason switch
    {
        Core.ReasonCode.GracePeriod => Wire.ReasonCode.GracePeriod,
        // A validated temporary CAL is a valid CAL that the license server now knows was used at a sign-in (R5).
        Core.ReasonCode.ValidCal or Core.ReasonCode.TemporaryCalValidated => Wire.ReasonCode.ValidCal,
        Core.ReasonCode.TemporaryCalIssued => Wire.ReasonCode.TemporaryCalIssued,
        Core.ReasonCode.CalUpgraded => Wire.ReasonCode.CalUpgraded,
        Core.ReasonCode.CalRenewed => Wire.ReasonCode.CalRenewed,
        Core.ReasonCode.PerUserRecorded => Wire.ReasonCode.PerUserRecorded,
        Core.ReasonCode.PerUserNotTracked => Wire.ReasonCode.PerUserNotTracked,
        Core.ReasonCode.PerUserOverUsed => Wire.ReasonCode.PerUserOverused,
        Core.ReasonCode.NoLicenseServer => Wire.ReasonCode.NoLicenseServer,
        Core.ReasonCode.NoLicensesAvailable => Wire.ReasonCode.NoLicensesAvailable,
        Core.ReasonCode.TemporaryCalExpired => Wire.ReasonCode.TemporaryCalExpired,
        Core.ReasonCode.CalExpired => Wire.ReasonCode.CalExpired,
        Core.ReasonCode.CalVersionIncompatible => Wire.ReasonCode.CalVersionIncompatible,
        Core.ReasonCode.ModeNotConfigured => Wire.ReasonCode.ModeNotConfigured,
        Core.ReasonCode.CertificateInvalid => Wire.ReasonCode.CertificateInvalid,
        Core.ReasonCode.CalRevoked => Wire.ReasonCode.CalRevoked,
        Core.ReasonCode.HostNotAllowed => Wire.ReasonCode.HostNotAllowed,
        Core.ReasonCode.RevokeCapReached or Core.ReasonCode.RevokeNotAllowed or Core.ReasonCode.InvalidInput
            or Core.ReasonCode.VersionNotHosted or Core.ReasonCode.ServerNotActivated or Core.ReasonCode.AlreadyActivated
            or Core.ReasonCode.ServerActivated or Core.ReasonCode.ServerDeactivated or Core.ReasonCode.ServerReactivated
            or Core.ReasonCode.LicensesInUse or Core.ReasonCode.LicensesRemoved or Core.ReasonCode.KeyPackUninstalled => Wire.ReasonCode.Unspecified,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "A core reason code without a contract mapping; add it to ContractMapping."),
    };

    /// <summary>A reason from another service, in the core's terms (null for UNSPECIFIED and for reasons a newer contract added).</summary>
    public static Core.ReasonCode? ToCore(Wire.ReasonCode reason) => reason switch
    {
        Wire.ReasonCode.GracePeriod => Core.ReasonCode.GracePeriod,
        Wire.ReasonCode.ValidCal => Core.ReasonCode.ValidCal,
        Wire.ReasonCode.TemporaryCalIssued => Core.ReasonCode.TemporaryCalIssued,
        Wire.ReasonCode.CalUpgraded => Core.ReasonCode.CalUpgraded,
        Wire.ReasonCode.CalRenewed => Core.ReasonCode.CalRenewed,
        Wire.ReasonCode.PerUserRecorded => Core.ReasonCode.PerUserRecorded,
        Wire.ReasonCode.PerUserNotTracked => Core.ReasonCode.PerUserNotTracked,
        Wire.ReasonCode.PerUserOverused => Core.ReasonCode.PerUserOverUsed,
        Wire.ReasonCode.NoLicenseServer => Core.ReasonCode.NoLicenseServer,
        Wire.ReasonCode.NoLicensesAvailable => Core.ReasonCode.NoLicensesAvailable,
        Wire.ReasonCode.TemporaryCalExpired => Core.ReasonCode.TemporaryCalExpired,
        Wire.ReasonCode.CalExpired => Core.ReasonCode.CalExpired,
        Wire.ReasonCode.CalVersionIncompatible => Core.ReasonCode.CalVersionIncompatible,
        Wire.ReasonCode.ModeNotConfigured => Core.ReasonCode.ModeNotConfigured,
        Wire.ReasonCode.CertificateInvalid => Core.ReasonCode.CertificateInvalid,
        Wire.ReasonCode.CalRevoked => Core.ReasonCode.CalRevoked,
        Wire.ReasonCode.HostNotAllowed => Core.ReasonCode.HostNotAllowed,
        _ => null,
    };
}
