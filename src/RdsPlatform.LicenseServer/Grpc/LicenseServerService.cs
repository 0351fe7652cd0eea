using Grpc.Core;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Alerts;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.ServiceDefaults.Http;
using RdsPlatform.ServiceDefaults.Outcomes;
using RdsPlatform.ServiceDefaults.Security;
using static RdsPlatform.LicenseServer.Grpc.LicenseServerMapping;
using static RdsPlatform.LicenseServer.Grpc.RequestChecks;
using static RdsPlatform.ServiceDefaults.Mapping.ContractMapping;
using Contract = RdsPlatform.Contracts;
using FieldViolation = RdsPlatform.Licensing.FieldViolation;

namespace RdsPlatform.LicenseServer.Grpc;

/// <summary>
/// <c>rds.licensing.v1.LicenseServer</c>: checks requests (<see cref="RequestChecks"/>), calls the use cases, maps answers;
/// refusals become status codes through the shared <see cref="ProblemExtensions.ToRpcException"/>.
/// </summary>
public sealed class LicenseServerService(
    ActivationService activation,
    KeyPackService keyPacks,
    IssuanceService issuance,
    RevocationService revocation,
    LicenseQueries queries,
    WebhookSubscriptions webhooks,
    GatewayAlerts gatewayAlerts,
    TimeProvider time) : Contract.Licensing.V1.LicenseServer.LicenseServerBase
{
    /// <summary>Longest accepted webhook URL.</summary>
    public const int MaxWebhookUrlLength = RequestChecks.MaxWebhookUrlLength;

    public const int MinWebhookSecretLength = RequestChecks.MinWebhookSecretLength;

    public const int MaxWebhookSecretLength = RequestChecks.MaxWebhookSecretLength;

    /// <summary>Longest accepted identifier or name in a request.</summary>
    public const int MaxTextLength = RequestChecks.MaxTextLength;

    private const int StreamFlushEvery = 256;

    /// <summary>CALs per ListIssuedLicensePages message: about 150 KB, far below gRPC's 4 MB default message limit.</summary>
    internal const int LicensePageSize = 1000;

    private static readonly WriteOptions BufferedWrite = new(WriteFlags.BufferHint);

    [AllowRoles(RdsRoles.Admin, RdsRoles.SessionHost, RdsRoles.Reporter)]
    public override async Task<GetServerInfoResponse> GetServerInfo(GetServerInfoRequest request, ServerCallContext context) =>
        new() { Server = ToContract(await activation.GetServerInfoAsync(context.CancellationToken)), CallerRole = context.GetCaller()?.Role ?? "" };

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<ActivateServerResponse> ActivateServer(ActivateServerRequest request, ServerCallContext context)
    {
        Check(Contact([], request.Contact), "The server was not activated.");
        var outcome = await activation.ActivateAsync(MapToContact(request.Contact), context.CancellationToken);
        return new() { Server = ToContract(outcome.ValueOrThrow()) };
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<DeactivateServerResponse> DeactivateServer(DeactivateServerRequest request, ServerCallContext context)
    {
        Check(Length([], "reason", request.Reason));
        var outcome = await activation.DeactivateAsync(request.Reason, context.CancellationToken);
        return new() { Server = ToContract(outcome.ValueOrThrow()) };
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<ReactivateServerResponse> ReactivateServer(ReactivateServerRequest request, ServerCallContext context)
    {
        Check(Contact(Length([], "reason", request.Reason), request.Contact));
        var outcome = await activation.ReactivateAsync(request.Reason, MapToContact(request.Contact), context.CancellationToken);
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
        var outcome = await keyPacks.InstallAsync(pack, context.CancellationToken);
        return new() { KeyPack = ToContract(outcome.ValueOrThrow()) };
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.SessionHost, RdsRoles.Reporter)]
    public override async Task<ListKeyPacksResponse> ListKeyPacks(ListKeyPacksRequest request, ServerCallContext context) =>
        new() { KeyPacks = { (await keyPacks.ListAsync(context.CancellationToken)).Select(ToContract) } };

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<RemoveLicensesResponse> RemoveLicenses(RemoveLicensesRequest request, ServerCallContext context)
    {
        var id = KeyPackId(request.KeyPackId);
        if (request.Count < 1)
        {
            throw Problem.Invalid("The licenses cannot be removed.", [new("count", "Give how many unissued licenses to remove (at least 1).")]).ToRpcException();
        }

        var outcome = await keyPacks.RemoveLicensesAsync(id, request.Count, context.CancellationToken);
        return new() { KeyPack = ToContract(outcome.ValueOrThrow()) };
    }

    [AllowRoles(RdsRoles.Admin)]
    public override Task<UninstallKeyPackResponse> UninstallKeyPack(UninstallKeyPackRequest request, ServerCallContext context) =>
        AcknowledgeAsync<UninstallKeyPackResponse, KeyPackRecord>(keyPacks.UninstallAsync(KeyPackId(request.KeyPackId), context.CancellationToken));

    [AllowRoles(RdsRoles.SessionHost)]
    public override async Task<RequestLicenseResponse> RequestLicense(RequestLicenseRequest request, ServerCallContext context)
    {
        var input = MapToInput(request);
        context.EnsureActsForHost(request.SessionHostId);
        return MapToResponse((await issuance.RequestAsync(input, context.CancellationToken)).ValueOrThrow());
    }

    [AllowRoles(RdsRoles.SessionHost)]
    public override async Task<MarkLicenseValidatedResponse> MarkLicenseValidated(MarkLicenseValidatedRequest request, ServerCallContext context)
    {
        Check(Length([], "session_host_id", request.SessionHostId));
        var licenseId = LicenseId(request.LicenseId);
        context.EnsureActsForHost(request.SessionHostId);
        var license = (await issuance.MarkValidatedAsync(licenseId, request.SessionHostId, context.CancellationToken)).ValueOrThrow();
        return new() { License = ToContract(license, time.GetUtcNow()) };
    }

    [AllowRoles(RdsRoles.SessionHost)]
    public override async Task<RenewLicenseResponse> RenewLicense(RenewLicenseRequest request, ServerCallContext context)
    {
        Check(Length([], "session_host_id", request.SessionHostId));
        var licenseId = LicenseId(request.LicenseId);
        context.EnsureActsForHost(request.SessionHostId);
        var response = MapToResponse((await issuance.RenewAsync(licenseId, request.SessionHostId, context.CancellationToken)).ValueOrThrow());
        // The two answers are one message shape (reason, message, license, certificate under the same numbers).
        return new() { Reason = response.Reason, Message = response.Message, License = response.License, Certificate = response.Certificate };
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<RevokeLicenseResponse> RevokeLicense(RevokeLicenseRequest request, ServerCallContext context)
    {
        var answer = (await revocation.RevokeAsync(LicenseId(request.LicenseId), context.CancellationToken)).ValueOrThrow();
        return new()
        {
            License = ToContract(answer.License, time.GetUtcNow()),
            RevocableRemaining = answer.RevocableRemaining,
            NextRevokeAllowedAt = answer.NextRevokeAllowedAt is { } next ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(next) : null,
        };
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task ListIssuedLicenses(ListIssuedLicensesRequest request, IServerStreamWriter<IssuedLicense> responseStream, ServerCallContext context)
    {
        var query = ListingQuery(request);
        // A flush per message would make a million-CAL stream a million small HTTP/2 writes: messages are buffered and
        // flushed every StreamFlushEvery (and at the end of the call).
        var written = 0;
        var buffered = !context.IsHttpJson();
        await foreach (var license in queries.ListIssuedLicenses(query, context.CancellationToken))
        {
            if (buffered)
            {
                responseStream.WriteOptions = ++written % StreamFlushEvery == 0 ? null : BufferedWrite;
            }

            await responseStream.WriteAsync(ToContract(license, query.Now), context.CancellationToken);
        }
    }

    /// <summary>
    /// ListIssuedLicenses' CALs (same query, same order) LicensePageSize to a message: per message, gRPC frames, copies
    /// and awaits a write, which for a million single CALs cost more than serialising them. Served in place of the
    /// generated method (<see cref="EncodedLicensePages"/>): each page is written as protobuf bytes straight from the
    /// rows read, no IssuedLicense, Timestamp or string per CAL (most of the license server's time in a million-CAL report).
    /// </summary>
    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public async Task ListIssuedLicensePages(ListIssuedLicensesRequest request, IServerStreamWriter<EncodedIssuedLicensePage> responseStream, ServerCallContext context)
    {
        var query = ListingQuery(request);
        using var encoder = new IssuedLicensePageEncoder(query.Now, LicensePageSize);
        var message = new EncodedIssuedLicensePage();
        await foreach (var pages in queries.ListIssuedLicenseBatches(query, encoder, context.CancellationToken))
        {
            foreach (var page in pages)
            {
                message.Bytes = page;
                await responseStream.WriteAsync(message, context.CancellationToken);
            }
        }
    }

    /// <summary>The listing's filters checked (InvalidArgument naming each bad one) and read at the current time.</summary>
    private LicenseQuery ListingQuery(ListIssuedLicensesRequest request)
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
        return new LicenseQuery(time.GetUtcNow(), ToCore(request.CalType), ToCore(request.ProductVersion), ToCore(request.Status),
            request.Subject.Trim(), request.UserDomain.Trim(), keyPack, request.IncludeExpired, after);
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override async Task<CountIssuedLicensesResponse> CountIssuedLicenses(CountIssuedLicensesRequest request, ServerCallContext context)
    {
        var counts = await queries.CountIssuedLicenses(CountedStatuses(request), time.GetUtcNow(), context.CancellationToken);
        return new() { Counts = { counts.Select(ToContract) } };
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.SessionHost, RdsRoles.Reporter)]
    public override async Task GetAuditTrail(GetAuditTrailRequest request, IServerStreamWriter<AuditEvent> responseStream, ServerCallContext context)
    {
        var types = AuditRequest(request);
        await foreach (var record in queries.AuditTrail(request.AfterSequence, request.Limit, types, request.Follow, context.CancellationToken))
        {
            await responseStream.WriteAsync(ToContract(record), context.CancellationToken);
        }
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<CreateWebhookSubscriptionResponse> CreateWebhookSubscription(CreateWebhookSubscriptionRequest request, ServerCallContext context)
    {
        var (url, types) = WebhookRequest(request, webhooks.AllowLinkLocalUrls);
        var subscription = await webhooks.CreateAsync(url, types, request.Secret, context.CancellationToken);
        return new() { Subscription = ToContract(subscription) };
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<ListWebhookSubscriptionsResponse> ListWebhookSubscriptions(ListWebhookSubscriptionsRequest request, ServerCallContext context) =>
        new() { Subscriptions = { (await webhooks.ListAsync(context.CancellationToken)).Select(ToContract) } };

    [AllowRoles(RdsRoles.Admin)]
    public override Task<DeleteWebhookSubscriptionResponse> DeleteWebhookSubscription(DeleteWebhookSubscriptionRequest request, ServerCallContext context) =>
        AcknowledgeAsync<DeleteWebhookSubscriptionResponse, bool>(webhooks.DeleteAsync(SubscriptionId(request.SubscriptionId), context.CancellationToken));

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<ListWebhookDeliveriesResponse> ListWebhookDeliveries(ListWebhookDeliveriesRequest request, ServerCallContext context)
    {
        var id = SubscriptionId(request.SubscriptionId);
        if (request.Limit is < 0 or > 100)
        {
            throw Problem.Invalid("limit", "Give 1 to 100, or 0 for 20.").ToRpcException();
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

    /// <summary>The answer to RequestLicense, and (same fields) to RenewLicense: the license as shown at this moment.</summary>
    private RequestLicenseResponse MapToResponse(LicenseAnswer answer) => new()
    {
        Reason = ToContract(answer.Reason),
        Message = answer.Message,
        License = ToContractOrNull(answer.License, time.GetUtcNow()),
        Certificate = ToContractCertificate(answer.Certificate),
    };

    /// <summary>An operation whose answer is empty: a failed outcome becomes its status, success an empty response.</summary>
    private static async Task<TResponse> AcknowledgeAsync<TResponse, T>(Task<Outcome<T>> outcome) where TResponse : new()
    {
        (await outcome).ValueOrThrow();
        return new();
    }
}
