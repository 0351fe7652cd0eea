using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using RdsPlatform.LicenseServer.Alerts;
using RdsPlatform.LicenseServer.Application;
using Contract = RdsPlatform.Contracts;
using Shared = RdsPlatform.ServiceDefaults.Mapping.ContractMapping;

namespace RdsPlatform.LicenseServer.Grpc;

/// <summary>
/// The license server's own records as contract messages (and its own enums, audit event types and delivery states);
/// the shared vocabulary (CAL types, versions, statuses, reasons) goes through the one shared <c>ContractMapping</c>.
/// </summary>
internal static class LicenseServerMapping
{
    public static Contract.Licensing.V1.ServerInfo ToContract(ServerInfo info)
    {
        var contact = info.Activation.Contact;
        var server = new Contract.Licensing.V1.ServerInfo
        {
            ServerId = info.ServerId.ToString(),
            Version = Shared.ToContract(info.Version),
            Scope = Shared.ToContract(info.Scope),
            Domain = info.Scope == ServerScope.Domain ? info.Domain : "",
            ActivationState = Shared.ToContract(info.Activation.Status),
            ActivatedAt = Shared.ToContract(info.Activation.ActivatedAt),
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

    public static Contract.Licensing.V1.KeyPack ToContract(KeyPackRecord pack) => new()
    {
        KeyPackId = pack.Id.ToString(),
        Program = Shared.ToContract(pack.Program),
        AgreementType = pack.AgreementType is { } agreement ? Shared.ToContract(agreement) : Contract.Common.V1.AgreementType.Unspecified,
        Reference = pack.Reference,
        ProductVersion = Shared.ToContract(pack.Version),
        CalType = Shared.ToContract(pack.CalType),
        Total = pack.Installed,
        Issued = pack.Issued,
        Available = pack.Available,
        InstalledAt = Timestamp.FromDateTimeOffset(pack.InstalledAt),
    };

    public static Contract.Licensing.V1.IssuedLicense ToContract(LicenseRecord license, DateTimeOffset now)
    {
        var cal = license.Cal;
        return new Contract.Licensing.V1.IssuedLicense
        {
            LicenseId = cal.LicenseId.ToString(),
            KeyPackId = cal.KeyPackId?.ToString() ?? "",
            CalType = Shared.ToContract(cal.Type),
            ProductVersion = Shared.ToContract(cal.Version),
            Status = Shared.ToContract(cal.StatusAt(now)),
            Subject = cal.Subject,
            ComputerName = license.ComputerName ?? "",
            UserDomain = license.UserDomain ?? "",
            UserName = license.UserName ?? "",
            Validated = cal.Validated,
            IssuedAt = Timestamp.FromDateTimeOffset(cal.IssuedAt),
            ExpiresAt = Timestamp.FromDateTimeOffset(cal.ExpiresAt),
            AssignedAt = Shared.ToContract(cal.AssignedAt),
            RevokedAt = Shared.ToContract(cal.RevokedAt),
            SessionHostId = license.SessionHostId ?? "",
        };
    }

    public static Contract.Licensing.V1.IssuedLicenseCount ToContract(LicenseCount count) => new()
    {
        CalType = Shared.ToContract(count.Type),
        ProductVersion = Shared.ToContract(count.Version),
        Status = Shared.ToContract(count.Status),
        UserDomain = count.UserDomain,
        Count = count.Count,
    };

    public static Contract.Licensing.V1.IssuedLicense? ToContractOrNull(LicenseRecord? license, DateTimeOffset now) =>
        license is null ? null : ToContract(license, now);

    public static Contract.Licensing.V1.AuditEvent ToContract(AuditRecord record)
    {
        var e = record.Entry;
        return new Contract.Licensing.V1.AuditEvent
        {
            Sequence = record.Sequence,
            OccurredAt = Timestamp.FromDateTimeOffset(e.OccurredAt),
            Type = ToContract(e.Type),
            LicenseId = e.LicenseId?.ToString() ?? "",
            KeyPackId = e.KeyPackId?.ToString() ?? "",
            CalType = e.CalType is { } type ? Shared.ToContract(type) : Contract.Common.V1.CalType.Unspecified,
            ProductVersion = e.Version is { } version ? Shared.ToContract(version) : Contract.Common.V1.ProductVersion.Unspecified,
            Subject = e.Subject ?? "",
            SessionHostId = e.SessionHostId ?? "",
            Reason = e.Reason is { } reason ? Shared.ToContract(reason) : Contract.Common.V1.ReasonCode.Unspecified,
            Detail = e.Detail,
        };
    }

    public static Contract.Licensing.V1.AuditEventType ToContract(AuditEventType type) => type switch
    {
        AuditEventType.LicenseIssued => Contract.Licensing.V1.AuditEventType.LicenseIssued,
        AuditEventType.LicenseValidated => Contract.Licensing.V1.AuditEventType.LicenseValidated,
        AuditEventType.LicenseUpgraded => Contract.Licensing.V1.AuditEventType.LicenseUpgraded,
        AuditEventType.LicenseRenewed => Contract.Licensing.V1.AuditEventType.LicenseRenewed,
        AuditEventType.LicenseRevoked => Contract.Licensing.V1.AuditEventType.LicenseRevoked,
        AuditEventType.LicenseReclaimed => Contract.Licensing.V1.AuditEventType.LicenseReclaimed,
        AuditEventType.LicenseOverUsed => Contract.Licensing.V1.AuditEventType.LicenseOverused,
        AuditEventType.KeyPackInstalled => Contract.Licensing.V1.AuditEventType.KeyPackInstalled,
        AuditEventType.LicensesRemoved => Contract.Licensing.V1.AuditEventType.LicensesRemoved,
        AuditEventType.KeyPackUninstalled => Contract.Licensing.V1.AuditEventType.KeyPackUninstalled,
        AuditEventType.ServerActivated => Contract.Licensing.V1.AuditEventType.ServerActivated,
        AuditEventType.ServerDeactivated => Contract.Licensing.V1.AuditEventType.ServerDeactivated,
        AuditEventType.ServerReactivated => Contract.Licensing.V1.AuditEventType.ServerReactivated,
        AuditEventType.IssuanceFailed => Contract.Licensing.V1.AuditEventType.IssuanceFailed,
        AuditEventType.AlertRaised => Contract.Licensing.V1.AuditEventType.AlertRaised,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "An audit event type without a contract value; add it here."),
    };

    public static AuditEventType? ToCore(Contract.Licensing.V1.AuditEventType type) => type switch
    {
        Contract.Licensing.V1.AuditEventType.LicenseIssued => AuditEventType.LicenseIssued,
        Contract.Licensing.V1.AuditEventType.LicenseValidated => AuditEventType.LicenseValidated,
        Contract.Licensing.V1.AuditEventType.LicenseUpgraded => AuditEventType.LicenseUpgraded,
        Contract.Licensing.V1.AuditEventType.LicenseRenewed => AuditEventType.LicenseRenewed,
        Contract.Licensing.V1.AuditEventType.LicenseRevoked => AuditEventType.LicenseRevoked,
        Contract.Licensing.V1.AuditEventType.LicenseReclaimed => AuditEventType.LicenseReclaimed,
        Contract.Licensing.V1.AuditEventType.LicenseOverused => AuditEventType.LicenseOverUsed,
        Contract.Licensing.V1.AuditEventType.KeyPackInstalled => AuditEventType.KeyPackInstalled,
        Contract.Licensing.V1.AuditEventType.LicensesRemoved => AuditEventType.LicensesRemoved,
        Contract.Licensing.V1.AuditEventType.KeyPackUninstalled => AuditEventType.KeyPackUninstalled,
        Contract.Licensing.V1.AuditEventType.ServerActivated => AuditEventType.ServerActivated,
        Contract.Licensing.V1.AuditEventType.ServerDeactivated => AuditEventType.ServerDeactivated,
        Contract.Licensing.V1.AuditEventType.ServerReactivated => AuditEventType.ServerReactivated,
        Contract.Licensing.V1.AuditEventType.IssuanceFailed => AuditEventType.IssuanceFailed,
        Contract.Licensing.V1.AuditEventType.AlertRaised => AuditEventType.AlertRaised,
        _ => null,
    };

    public static Contract.Licensing.V1.WebhookSubscription ToContract(WebhookSubscriptionRecord subscription) => new()
    {
        SubscriptionId = subscription.SubscriptionId.ToString(),
        Url = subscription.Url,
        EventTypes = { subscription.EventTypes.Select(Shared.ToContract) },
        CreatedAt = Timestamp.FromDateTimeOffset(subscription.CreatedAt),
    };

    public static Contract.Licensing.V1.WebhookDelivery ToContract(WebhookDeliveryRecord delivery) => new()
    {
        DeliveryId = delivery.DeliveryId.ToString(),
        SubscriptionId = delivery.SubscriptionId.ToString(),
        Alert = JsonParser.Default.Parse<Contract.Licensing.V1.Alert>(delivery.Body),
        Status = ToContract(delivery.Status),
        Attempts = delivery.Attempts,
        LastHttpStatus = delivery.LastHttpStatus,
        LastError = delivery.LastError,
        CreatedAt = Timestamp.FromDateTimeOffset(delivery.CreatedAt),
        CompletedAt = Shared.ToContract(delivery.CompletedAt),
    };

    public static Contract.Licensing.V1.DeliveryStatus ToContract(DeliveryState state) => state switch
    {
        DeliveryState.Pending => Contract.Licensing.V1.DeliveryStatus.Pending,
        DeliveryState.Succeeded => Contract.Licensing.V1.DeliveryStatus.Succeeded,
        DeliveryState.Failed => Contract.Licensing.V1.DeliveryStatus.Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "A delivery state without a contract value; add it here."),
    };
}
