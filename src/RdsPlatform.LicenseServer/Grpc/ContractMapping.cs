using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using RdsPlatform.LicenseServer.Alerts;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Grpc;
using Contract = RdsPlatform.Contracts;

namespace RdsPlatform.LicenseServer.Grpc;

/// <summary>Translations between the core's vocabulary and the wire contract (the enums share their numbers except versions and reasons).</summary>
internal static class ContractMapping
{
    public static Contract.Licensing.V1.ServerInfo MapToContract(ServerInfo info)
    {
        var contact = info.Activation.Contact;
        var server = new Contract.Licensing.V1.ServerInfo
        {
            ServerId = info.ServerId.ToString(),
            Version = MapToContract(info.Version),
            Scope = (Contract.Common.V1.ServerScope)(int)info.Scope,
            Domain = info.Scope == ServerScope.Domain ? info.Domain : "",
            ActivationState = info.Activation.Status switch
            {
                ActivationStatus.Activated => Contract.Licensing.V1.ActivationState.Activated,
                ActivationStatus.Deactivated => Contract.Licensing.V1.ActivationState.Deactivated,
                _ => Contract.Licensing.V1.ActivationState.NotActivated,
            },
            ActivatedAt = Stamp(info.Activation.ActivatedAt),
            PublicKey = ByteString.CopyFrom(info.PublicKey),
            SecurityGroupEnabled = info.SecurityGroupEnabled,
            Now = Timestamp.FromDateTimeOffset(info.Now),
        };
        server.AllowedSessionHosts.AddRange(info.AllowedSessionHosts);
        if (contact is not null)
        {
            server.Contact = new Contract.Licensing.V1.ContactDetails
            {
                FirstName = contact.FirstName ?? "",
                LastName = contact.LastName ?? "",
                Company = contact.Company ?? "",
                Country = contact.Country ?? "",
                Email = contact.Email ?? "",
            };
        }

        return server;
    }

    public static Contract.Licensing.V1.KeyPack MapToContract(KeyPackRecord pack) => new()
    {
        KeyPackId = pack.Id.ToString(),
        Program = (Contract.Common.V1.KeyPackProgram)(int)pack.Program,
        AgreementType = pack.AgreementType is { } agreement ? (Contract.Common.V1.AgreementType)(int)agreement : Contract.Common.V1.AgreementType.Unspecified,
        Reference = pack.Reference,
        ProductVersion = MapToContract(pack.Version),
        CalType = MapToContract(pack.CalType),
        Total = pack.Installed,
        Issued = pack.Issued,
        Available = pack.Available,
        InstalledAt = Timestamp.FromDateTimeOffset(pack.InstalledAt),
    };

    public static Contract.Licensing.V1.IssuedLicense MapToContract(LicenseRecord license, DateTimeOffset now)
    {
        var cal = license.Cal;
        return new Contract.Licensing.V1.IssuedLicense
        {
            LicenseId = cal.LicenseId.ToString(),
            KeyPackId = cal.KeyPackId?.ToString() ?? "",
            CalType = MapToContract(cal.Type),
            ProductVersion = MapToContract(cal.Version),
            Status = (Contract.Common.V1.CalStatus)(int)cal.StatusAt(now),
            Subject = cal.Subject,
            ComputerName = license.ComputerName ?? "",
            UserDomain = license.UserDomain ?? "",
            UserName = license.UserName ?? "",
            Validated = cal.Validated,
            IssuedAt = Timestamp.FromDateTimeOffset(cal.IssuedAt),
            ExpiresAt = Timestamp.FromDateTimeOffset(cal.ExpiresAt),
            AssignedAt = Stamp(cal.AssignedAt),
            RevokedAt = Stamp(cal.RevokedAt),
            SessionHostId = license.SessionHostId ?? "",
        };
    }

    public static Contract.Licensing.V1.AuditEvent MapToContract(AuditRecord record)
    {
        var e = record.Entry;
        return new Contract.Licensing.V1.AuditEvent
        {
            Sequence = record.Sequence,
            OccurredAt = Timestamp.FromDateTimeOffset(e.OccurredAt),
            Type = (Contract.Licensing.V1.AuditEventType)(int)e.Type,
            LicenseId = e.LicenseId?.ToString() ?? "",
            KeyPackId = e.KeyPackId?.ToString() ?? "",
            CalType = e.CalType is { } type ? MapToContract(type) : Contract.Common.V1.CalType.Unspecified,
            ProductVersion = e.Version is { } version ? MapToContract(version) : Contract.Common.V1.ProductVersion.Unspecified,
            Subject = e.Subject ?? "",
            SessionHostId = e.SessionHostId ?? "",
            Reason = e.Reason is { } reason ? MapToContract(reason) : Contract.Common.V1.ReasonCode.Unspecified,
            Detail = e.Detail,
        };
    }

    public static Contract.Common.V1.CalCertificate? MapToCertificate(byte[]? certificate) =>
        certificate is null ? null : new Contract.Common.V1.CalCertificate { Data = ByteString.CopyFrom(certificate) };

    public static Contract.Common.V1.CalType MapToContract(CalType type) => (Contract.Common.V1.CalType)(int)type;

    public static Contract.Common.V1.ProductVersion MapToContract(ProductVersion version) => version switch
    {
        ProductVersion.WindowsServer2016 => Contract.Common.V1.ProductVersion._2016,
        ProductVersion.WindowsServer2019 => Contract.Common.V1.ProductVersion._2019,
        ProductVersion.WindowsServer2022 => Contract.Common.V1.ProductVersion._2022,
        ProductVersion.WindowsServer2025 => Contract.Common.V1.ProductVersion._2025,
        _ => Contract.Common.V1.ProductVersion.Unspecified,
    };

    public static ProductVersion? MapToCore(Contract.Common.V1.ProductVersion version) => version switch
    {
        Contract.Common.V1.ProductVersion._2016 => ProductVersion.WindowsServer2016,
        Contract.Common.V1.ProductVersion._2019 => ProductVersion.WindowsServer2019,
        Contract.Common.V1.ProductVersion._2022 => ProductVersion.WindowsServer2022,
        Contract.Common.V1.ProductVersion._2025 => ProductVersion.WindowsServer2025,
        _ => null,
    };

    public static CalType? MapToCore(Contract.Common.V1.CalType type) => type switch
    {
        Contract.Common.V1.CalType.PerDevice => CalType.PerDevice,
        Contract.Common.V1.CalType.PerUser => CalType.PerUser,
        _ => null,
    };

    public static CalStatus? MapToCore(Contract.Common.V1.CalStatus status) =>
        status == Contract.Common.V1.CalStatus.Unspecified || !System.Enum.IsDefined((CalStatus)(int)status) ? null : (CalStatus)(int)status;

    public static Contract.Common.V1.ReasonCode MapToContract(ReasonCode reason) => ReasonCodeMapping.ToContract(reason);

    public static Contract.Licensing.V1.AlertType MapToContract(AlertKind kind) => kind switch
    {
        AlertKind.PoolLimited => Contract.Licensing.V1.AlertType.PoolLimited,
        AlertKind.PoolNone => Contract.Licensing.V1.AlertType.PoolNone,
        AlertKind.PoolOverUsed => Contract.Licensing.V1.AlertType.PoolOverused,
        AlertKind.RevokeCapReached => Contract.Licensing.V1.AlertType.RevokeCapReached,
        AlertKind.GracePeriodLow => Contract.Licensing.V1.AlertType.GracePeriodLow,
        _ => Contract.Licensing.V1.AlertType.Unspecified,
    };

    public static AlertKind? MapToCore(Contract.Licensing.V1.AlertType type) => type switch
    {
        Contract.Licensing.V1.AlertType.PoolLimited => AlertKind.PoolLimited,
        Contract.Licensing.V1.AlertType.PoolNone => AlertKind.PoolNone,
        Contract.Licensing.V1.AlertType.PoolOverused => AlertKind.PoolOverUsed,
        Contract.Licensing.V1.AlertType.RevokeCapReached => AlertKind.RevokeCapReached,
        Contract.Licensing.V1.AlertType.GracePeriodLow => AlertKind.GracePeriodLow,
        _ => null,
    };

    public static Contract.Licensing.V1.WebhookSubscription MapToContract(WebhookSubscriptionRecord subscription) => new()
    {
        SubscriptionId = subscription.SubscriptionId.ToString(),
        Url = subscription.Url,
        EventTypes = { subscription.EventTypes.Select(MapToContract) },
        CreatedAt = Timestamp.FromDateTimeOffset(subscription.CreatedAt),
    };

    public static Contract.Licensing.V1.WebhookDelivery MapToContract(WebhookDeliveryRecord delivery) => new()
    {
        DeliveryId = delivery.DeliveryId.ToString(),
        SubscriptionId = delivery.SubscriptionId.ToString(),
        Alert = JsonParser.Default.Parse<Contract.Licensing.V1.Alert>(delivery.Body),
        Status = (Contract.Licensing.V1.DeliveryStatus)(int)delivery.Status,
        Attempts = delivery.Attempts,
        LastHttpStatus = delivery.LastHttpStatus,
        LastError = delivery.LastError,
        CreatedAt = Timestamp.FromDateTimeOffset(delivery.CreatedAt),
        CompletedAt = Stamp(delivery.CompletedAt),
    };

    public static Contract.Licensing.V1.IssuedLicense? MapToContractOrNull(LicenseRecord? license, DateTimeOffset now) =>
        license is null ? null : MapToContract(license, now);

    private static Timestamp? Stamp(DateTimeOffset? time) => time is { } t ? Timestamp.FromDateTimeOffset(t) : null;
}
