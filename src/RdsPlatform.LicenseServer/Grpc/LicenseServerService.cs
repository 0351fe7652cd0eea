using Grpc.Core;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Alerts;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Grpc;
using RdsPlatform.ServiceDefaults.Http;
using RdsPlatform.ServiceDefaults.Security;
using RdsPlatform.ServiceDefaults.Outcomes;
using static RdsPlatform.LicenseServer.Grpc.LicenseServerMapping;
using static RdsPlatform.ServiceDefaults.Mapping.ContractMapping;
using Contract = RdsPlatform.Contracts;
using FieldViolation = RdsPlatform.Licensing.FieldViolation;
using AuditEventType = RdsPlatform.LicenseServer.Storage.AuditEventType;

namespace RdsPlatform.LicenseServer.Grpc;

/// <summary><c>rds.licensing.v1.LicenseServer</c>: checks requests, calls the application, maps answers; refusals become status codes through the shared <see cref="ProblemExtensions.ToRpcException"/>.</summary>
public sealed class LicenseServerService(LicenseServerApplication app, WebhookSubscriptions webhooks, GatewayAlerts gatewayAlerts) : Contract.Licensing.V1.LicenseServer.LicenseServerBase
{
    public const int MinWebhookSecretLength = 16;

    public const int MaxWebhookSecretLength = 256;

    private const int StreamFlushEvery = 256;

    private static readonly WriteOptions BufferedWrite = new(WriteFlags.BufferHint);

    /// <summary>Longest accepted identifier or name in a request.</summary>
    public const int MaxTextLength = 256;

    [AllowRoles(RdsRoles.Admin, RdsRoles.SessionHost, RdsRoles.Reporter)]
    public override async Task<GetServerInfoResponse> GetServerInfo(GetServerInfoRequest request, ServerCallContext context) =>
        new() { Server = ToContract(await app.GetServerInfoAsync(context.CancellationToken)), CallerRole = context.GetCaller()?.Role ?? "" };

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<ActivateServerResponse> ActivateServer(ActivateServerRequest request, ServerCallContext context)
    {
        Check(Contact([], request.Contact), "The server was not activated.");
        var outcome = await app.ActivateAsync(MapToContact(request.Contact), context.CancellationToken);
        return new() { Server = ToContract(outcome.ValueOrThrow()) };
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<DeactivateServerResponse> DeactivateServer(DeactivateServerRequest request, ServerCallContext context)
    {
        Check(Length([], "reason", request.Reason));
        var outcome = await app.DeactivateAsync(request.Reason, context.CancellationToken);
        return new() { Server = ToContract(outcome.ValueOrThrow()) };
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<ReactivateServerResponse> ReactivateServer(ReactivateServerRequest request, ServerCallContext context)
    {
        Check(Contact(Length([], "reason", request.Reason), request.Contact));
        var outcome = await app.ReactivateAsync(request.Reason, MapToContact(request.Contact), context.CancellationToken);
        return new() { Server = ToContract(outcome.ValueOrThrow()) };
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<InstallKeyPackResponse> InstallKeyPack(InstallKeyPackRequest request, ServerCallContext context)
    {
        var problems = new List<FieldViolation>();
        Length(problems, "retail_code", request.RetailCode);
        Length(problems, "open_license_number", request.OpenLicenseNumber);
        Length(problems, "authorization_number", request.AuthorizationNumber);
        Length(problems, "agreement_number", request.AgreementNumber);
        Enum(problems, "program", request.Program, allowUnspecified: true);
        Enum(problems, "agreement_type", request.AgreementType, allowUnspecified: true);
        Enum(problems, "product_version", request.ProductVersion, allowUnspecified: true);
        Enum(problems, "cal_type", request.CalType, allowUnspecified: true);
        Check(problems, "The key pack cannot be installed.");

        var pack = new KeyPackRequest(
            ToCore(request.Program) ?? default,
            ToCore(request.ProductVersion) ?? default,
            ToCore(request.CalType) ?? default,
            request.Count,
            request.RetailCode,
            request.OpenLicenseNumber,
            request.AuthorizationNumber,
            ToCore(request.AgreementType),
            request.AgreementNumber);
        var outcome = await app.InstallKeyPackAsync(pack, context.CancellationToken);
        return new() { KeyPack = ToContract(outcome.ValueOrThrow()) };
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.SessionHost, RdsRoles.Reporter)]
    public override async Task<ListKeyPacksResponse> ListKeyPacks(ListKeyPacksRequest request, ServerCallContext context)
    {
        var response = new ListKeyPacksResponse();
        response.KeyPacks.AddRange((await app.ListKeyPacksAsync(context.CancellationToken)).Select(ToContract));
        return response;
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<RemoveLicensesResponse> RemoveLicenses(RemoveLicensesRequest request, ServerCallContext context)
    {
        var id = KeyPackId(request.KeyPackId);
        if (request.Count < 1)
        {
            throw Problem.Invalid("The licenses cannot be removed.", [new("count", "Give how many unissued licenses to remove (at least 1).")]).ToRpcException();
        }

        var outcome = await app.RemoveLicensesAsync(id, request.Count, context.CancellationToken);
        return new() { KeyPack = ToContract(outcome.ValueOrThrow()) };
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<UninstallKeyPackResponse> UninstallKeyPack(UninstallKeyPackRequest request, ServerCallContext context)
    {
        (await app.UninstallKeyPackAsync(KeyPackId(request.KeyPackId), context.CancellationToken)).ValueOrThrow();
        return new();
    }

    [AllowRoles(RdsRoles.SessionHost)]
    public override async Task<RequestLicenseResponse> RequestLicense(RequestLicenseRequest request, ServerCallContext context)
    {
        var input = MapToInput(request);
        context.EnsureActsForHost(request.SessionHostId);
        var answer = (await app.RequestLicenseAsync(input, context.CancellationToken)).ValueOrThrow();
        return new()
        {
            Reason = ToContract(answer.Reason),
            Message = answer.Message,
            License = ToContractOrNull(answer.License, app.Now),
            Certificate = ToContractCertificate(answer.Certificate),
        };
    }

    [AllowRoles(RdsRoles.SessionHost)]
    public override async Task<MarkLicenseValidatedResponse> MarkLicenseValidated(MarkLicenseValidatedRequest request, ServerCallContext context)
    {
        Check(Length([], "session_host_id", request.SessionHostId));
        var licenseId = LicenseId(request.LicenseId);
        context.EnsureActsForHost(request.SessionHostId);
        var license = (await app.MarkValidatedAsync(licenseId, request.SessionHostId, context.CancellationToken)).ValueOrThrow();
        return new() { License = ToContract(license, app.Now) };
    }

    [AllowRoles(RdsRoles.SessionHost)]
    public override async Task<RenewLicenseResponse> RenewLicense(RenewLicenseRequest request, ServerCallContext context)
    {
        Check(Length([], "session_host_id", request.SessionHostId));
        var licenseId = LicenseId(request.LicenseId);
        context.EnsureActsForHost(request.SessionHostId);
        var answer = (await app.RenewLicenseAsync(licenseId, request.SessionHostId, context.CancellationToken)).ValueOrThrow();
        return new()
        {
            Reason = ToContract(answer.Reason),
            Message = answer.Message,
            License = ToContractOrNull(answer.License, app.Now),
            Certificate = ToContractCertificate(answer.Certificate),
        };
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<RevokeLicenseResponse> RevokeLicense(RevokeLicenseRequest request, ServerCallContext context)
    {
        var answer = (await app.RevokeLicenseAsync(LicenseId(request.LicenseId), context.CancellationToken)).ValueOrThrow();
        return new()
        {
            License = ToContract(answer.License, app.Now),
            RevocableRemaining = answer.RevocableRemaining,
            NextRevokeAllowedAt = answer.NextRevokeAllowedAt is { } next ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(next) : null,
        };
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task ListIssuedLicenses(ListIssuedLicensesRequest request, IServerStreamWriter<IssuedLicense> responseStream, ServerCallContext context)
    {
        var problems = new List<FieldViolation>();
        Length(problems, "subject", request.Subject);
        Length(problems, "user_domain", request.UserDomain);
        Enum(problems, "cal_type", request.CalType, allowUnspecified: true);
        Enum(problems, "product_version", request.ProductVersion, allowUnspecified: true);
        Enum(problems, "status", request.Status, allowUnspecified: true);
        var keyPack = OptionalId(problems, "key_pack_id", request.KeyPackId, "Give a key pack id as ListKeyPacks shows it, or leave it empty.");
        var after = OptionalId(problems, "after_license_id", request.AfterLicenseId,
            "Give the license id of the last CAL you received, or leave it empty to start from the first.");

        Check(problems, "The listing filters are invalid.");
        var now = app.Now;
        var query = new LicenseQuery(now, ToCore(request.CalType), ToCore(request.ProductVersion), ToCore(request.Status),
            request.Subject.Trim(), request.UserDomain.Trim(), keyPack, request.IncludeExpired, after);
        // A flush per message would make a million-CAL stream a million small HTTP/2 writes: messages are buffered and
        // flushed every StreamFlushEvery (and at the end of the call).
        var written = 0;
        var buffered = !context.IsHttpJson();
        await foreach (var license in await app.ListIssuedLicensesAsync(query, context.CancellationToken))
        {
            if (buffered)
            {
                responseStream.WriteOptions = ++written % StreamFlushEvery == 0 ? null : BufferedWrite;
            }

            await responseStream.WriteAsync(ToContract(license, now), context.CancellationToken);
        }
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.SessionHost, RdsRoles.Reporter)]
    public override async Task GetAuditTrail(GetAuditTrailRequest request, IServerStreamWriter<AuditEvent> responseStream, ServerCallContext context)
    {
        var problems = new List<FieldViolation>();
        if (request.AfterSequence < 0)
        {
            problems.Add(new("after_sequence", "Give the last sequence you received, or 0 to start from the beginning."));
        }

        if (request.Limit < 0)
        {
            problems.Add(new("limit", "Give how many events to return at most, or 0 for all."));
        }

        if (InputRules.Count(request.Types_.Count) is { } tooMany)
        {
            problems.Add(new("types", tooMany));
        }

        var types = new HashSet<AuditEventType>();
        foreach (var type in request.Types_.Take(InputRules.MaxRepeatedCount))
        {
            if (ToCore(type) is { } known)
            {
                types.Add(known);
            }
            else
            {
                problems.Add(new("types", $"{type} is not an audit event type."));
            }
        }

        Check(problems, "The audit trail request is invalid.");
        await foreach (var record in await app.GetAuditTrailAsync(request.AfterSequence, request.Limit, types, request.Follow, context.CancellationToken))
        {
            await responseStream.WriteAsync(ToContract(record), context.CancellationToken);
        }
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<CreateWebhookSubscriptionResponse> CreateWebhookSubscription(CreateWebhookSubscriptionRequest request, ServerCallContext context)
    {
        var problems = new List<FieldViolation>();
        var url = webhooks.CheckUrl(request.Url, problems);

        var types = new List<AlertKind>();
        foreach (var type in request.EventTypes)
        {
            if (ToCore(type) is { } kind)
            {
                types.Add(kind);
            }
            else
            {
                problems.Add(new("event_types", $"{type} is not an alert type; choose POOL_LIMITED, POOL_NONE, POOL_OVERUSED, REVOKE_CAP_REACHED or GRACE_PERIOD_LOW."));
            }
        }

        if (request.EventTypes.Count == 0)
        {
            problems.Add(new("event_types", "Choose at least one alert type to deliver."));
        }

        if (request.Secret.Length is < MinWebhookSecretLength or > MaxWebhookSecretLength)
        {
            problems.Add(new("secret", $"Give a secret of {MinWebhookSecretLength} to {MaxWebhookSecretLength} characters; the receiver verifies signatures with it."));
        }

        Check(problems, "The webhook subscription is invalid.");
        var subscription = await webhooks.CreateAsync(url!, types, request.Secret, context.CancellationToken);
        return new() { Subscription = ToContract(subscription) };
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<ListWebhookSubscriptionsResponse> ListWebhookSubscriptions(ListWebhookSubscriptionsRequest request, ServerCallContext context) =>
        new() { Subscriptions = { (await webhooks.ListAsync(context.CancellationToken)).Select(ToContract) } };

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<DeleteWebhookSubscriptionResponse> DeleteWebhookSubscription(DeleteWebhookSubscriptionRequest request, ServerCallContext context)
    {
        (await webhooks.DeleteAsync(SubscriptionId(request.SubscriptionId), context.CancellationToken)).ValueOrThrow();
        return new();
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<ListWebhookDeliveriesResponse> ListWebhookDeliveries(ListWebhookDeliveriesRequest request, ServerCallContext context)
    {
        var id = SubscriptionId(request.SubscriptionId);
        if (request.Limit is < 0 or > 100)
        {
            throw Problem.Invalid("The request is invalid.", [new("limit", "Give 1 to 100, or 0 for 20.")]).ToRpcException();
        }

        var deliveries = (await webhooks.DeliveriesAsync(id, request.Limit == 0 ? 20 : request.Limit, context.CancellationToken)).ValueOrThrow();
        return new() { Deliveries = { deliveries.Select(ToContract) } };
    }

    [AllowRoles(RdsRoles.SessionHost)]
    public override async Task<RecordGatewayAlertResponse> RecordGatewayAlert(RecordGatewayAlertRequest request, ServerCallContext context)
    {
        var alert = GatewayAlerts.Check(request).ValueOrThrow();
        context.EnsureActsForHost(alert.SessionHostId);
        return new() { Recorded = await gatewayAlerts.RecordAsync(alert, context.CancellationToken) };
    }

    private static LicenseRequestInput MapToInput(RequestLicenseRequest request)
    {
        var problems = new List<FieldViolation>();
        var version = ToCore(request.SessionHostVersion);
        var type = ToCore(request.CalType);
        if (version is null)
        {
            problems.Add(new("session_host_version", "Give the session host's version: 2016, 2019, 2022 or 2025."));
        }

        if (type is null)
        {
            problems.Add(new("cal_type", "Choose the CAL type: Per Device or Per User."));
        }
        else if (type == CalType.PerDevice && string.IsNullOrWhiteSpace(request.HardwareId))
        {
            problems.Add(new("hardware_id", "A Per Device license needs the client's hardware id."));
        }
        else if (type == CalType.PerUser && string.IsNullOrWhiteSpace(request.UserName))
        {
            problems.Add(new("user_name", "A Per User license needs the user's account name."));
        }

        Length(problems, "session_host_id", request.SessionHostId);
        Length(problems, "hardware_id", request.HardwareId);
        Length(problems, "computer_name", request.ComputerName);
        Length(problems, "user_domain", request.UserDomain);
        Length(problems, "user_name", request.UserName);
        Check(problems, "The license request is invalid.");
        return new LicenseRequestInput(request.SessionHostId, version!.Value, type!.Value, request.HardwareId, request.ComputerName,
            request.UserDomain, request.UserName, request.PreventUpgrade);
    }

    private static ActivationContact? MapToContact(ContactDetails? contact) =>
        contact is null ? null : new ActivationContact(contact.FirstName, contact.LastName, contact.Company, contact.Country, contact.Email);

    private static Guid KeyPackId(string text) => Id(text, "key_pack_id", "Give the key pack id as ListKeyPacks shows it.");

    private static Guid SubscriptionId(string text) =>
        Id(text, "subscription_id", "Give the subscription id as ListWebhookSubscriptions shows it.");

    private static Guid LicenseId(string text) => Id(text, "license_id", "Give the license id as RequestLicense or ListIssuedLicenses shows it.");

    private static Guid Id(string text, string field, string hint)
    {
        if (!Guid.TryParse(text, out var id))
        {
            throw Problem.Invalid("The request is invalid.", [new(field, string.IsNullOrWhiteSpace(text) ? $"Required. {hint}" : $"Not a valid id. {hint}")]).ToRpcException();
        }

        return id;
    }

    /// <summary>An id a filter may leave empty: null when empty, a field violation when it is not an id.</summary>
    private static Guid? OptionalId(List<FieldViolation> problems, string field, string text, string hint)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (Guid.TryParse(text, out var id))
        {
            return id;
        }

        problems.Add(new(field, hint));
        return null;
    }

    /// <summary>Length and character set of a text field (<see cref="InputRules.Text"/>).</summary>
    private static List<FieldViolation> Length(List<FieldViolation> problems, string field, string text)
    {
        if (InputRules.Text(text, MaxTextLength) is { } problem)
        {
            problems.Add(new(field, problem));
        }

        return problems;
    }

    private static List<FieldViolation> Enum<T>(List<FieldViolation> problems, string field, T value, bool allowUnspecified) where T : struct, System.Enum
    {
        if (InputRules.Defined(value, allowUnspecified) is { } problem)
        {
            problems.Add(new(field, problem));
        }

        return problems;
    }

    private static List<FieldViolation> Contact(List<FieldViolation> problems, ContactDetails? contact)
    {
        if (contact is not null)
        {
            Length(problems, "contact.first_name", contact.FirstName);
            Length(problems, "contact.last_name", contact.LastName);
            Length(problems, "contact.company", contact.Company);
            Length(problems, "contact.country", contact.Country);
            Length(problems, "contact.email", contact.Email);
        }

        return problems;
    }

    private static void Check(List<FieldViolation> problems, string message = "The request is invalid.") => problems.ThrowIfAny(message);

    private static T Value<T>(Outcome<T> outcome) => outcome.ValueOrThrow();
}
