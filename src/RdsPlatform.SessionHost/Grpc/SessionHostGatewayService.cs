using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Grpc;
using RdsPlatform.ServiceDefaults.Security;
using RdsPlatform.SessionHost.Connections;
using RdsPlatform.SessionHost.Diagnostics;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.ServiceDefaults.Mapping;
using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.SessionHost.Grpc;

/// <summary><c>rds.sessionhost.v1.SessionHostGateway</c>: validates requests, calls the gateway, maps the outcomes.</summary>
public sealed class SessionHostGatewayService(
    SessionHostStore hosts,
    ConnectionGateway connections,
    SignInGateway signIns,
    HostChangeListener hostChanges,
    Diagnoser diagnoser,
    TimeProvider time) : Contracts.SessionHost.V1.SessionHostGateway.SessionHostGatewayBase
{
    [AllowRoles(RdsRoles.Admin)]
    public override Task<ConfigureSessionHostResponse> ConfigureSessionHost(ConfigureSessionHostRequest request, ServerCallContext context)
    {
        var problems = RequestValidation.Configure(request);
        problems.ThrowIfAny("The session host settings were not saved.");

        var saved = hosts.Save(new SessionHostConfiguration(
            request.HostId,
            ContractMapping.ToCore(request.Version)!.Value,
            ContractMapping.ToCore(request.LicensingMode)!.Value,
            [.. request.LicenseServers],
            request.PreventLicenseUpgrade));
        hostChanges.Announce(saved.HostId);
        return Task.FromResult(new ConfigureSessionHostResponse { Host = MapToSessionHost(saved, time.GetUtcNow()) });
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Client)]
    public override Task<GetSessionHostResponse> GetSessionHost(GetSessionHostRequest request, ServerCallContext context) =>
        Task.FromResult(new GetSessionHostResponse { Host = MapToSessionHost(FindHost(request.HostId), time.GetUtcNow()) });

    [AllowRoles(RdsRoles.Admin, RdsRoles.Client)]
    public override Task<GetGracePeriodResponse> GetGracePeriod(GetGracePeriodRequest request, ServerCallContext context)
    {
        var host = FindHost(request.HostId);
        var now = time.GetUtcNow();
        return Task.FromResult(new GetGracePeriodResponse
        {
            StartedAt = Timestamp.FromDateTimeOffset(host.GraceStartedAt),
            EndsAt = Timestamp.FromDateTimeOffset(GracePeriod.EndsAt(host.GraceStartedAt)),
            DaysLeft = GracePeriod.DaysLeft(host.GraceStartedAt, now),
            InGrace = GracePeriod.IsActive(host.GraceStartedAt, now),
        });
    }

    [AllowRoles(RdsRoles.Client)]
    public override async Task<ConnectResponse> Connect(ConnectRequest request, ServerCallContext context)
    {
        // The one lookup of the host on a Connect: its mode says which fields are required, then the gateway decides for it.
        var host = hosts.Find(request.HostId);
        RequestValidation.Connect(request, host?.Mode).ThrowIfAny("The connection request is invalid.");

        var attempt = new ConnectAttempt(
            request.HostId,
            request.Device?.HardwareId ?? "",
            request.Device?.ComputerName ?? "",
            request.User?.Domain ?? "",
            request.User?.Name ?? "",
            request.PresentedCertificate?.Data.Memory ?? ReadOnlyMemory<byte>.Empty);
        var outcome = await connections.ConnectAsync(host, attempt, context.CancellationToken);
        return MapToConnectResponse(outcome.ValueOrThrow());
    }

    [AllowRoles(RdsRoles.Client)]
    public override async Task<SignInResponse> SignIn(SignInRequest request, ServerCallContext context)
    {
        var problems = RequestValidation.SessionId(request.SessionId);
        problems.ThrowIfAny("The sign-in request is invalid.");

        var decision = (await signIns.SignInAsync(request.SessionId, context.CancellationToken)).ValueOrThrow();
        return new SignInResponse
        {
            Reason = ContractMapping.ToContract(decision.Reason),
            Message = decision.Message,
            CertificateDetails = decision.Certificate is null ? null : ContractMapping.ToContract(decision.Certificate),
        };
    }

    [AllowRoles(RdsRoles.Client)]
    public override async Task<DisconnectResponse> Disconnect(DisconnectRequest request, ServerCallContext context)
    {
        var problems = RequestValidation.SessionId(request.SessionId);
        problems.ThrowIfAny("The disconnect request is invalid.");

        (await connections.DisconnectAsync(request.SessionId, context.CancellationToken)).ValueOrThrow();
        return new DisconnectResponse();
    }

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<DiagnoseResponse> Diagnose(DiagnoseRequest request, ServerCallContext context)
    {
        var host = FindHost(request.HostId);
        var findings = await diagnoser.DiagnoseAsync(host, context.CancellationToken);
        return new DiagnoseResponse { HostId = host.HostId, Findings = { findings }, Overall = Diagnoser.Overall(findings) };
    }

    [AllowRoles(RdsRoles.Admin, RdsRoles.Reporter)]
    public override Task<ListSessionHostsResponse> ListSessionHosts(ListSessionHostsRequest request, ServerCallContext context)
    {
        var problems = RequestValidation.ListHosts(request, out var pageSize, out var after);
        problems.ThrowIfAny("The session host listing request is invalid.");

        // One more than asked tells whether another page follows, so the last page has no token.
        var (page, total) = hosts.Page(after, pageSize + 1);
        var now = time.GetUtcNow();
        var response = new ListSessionHostsResponse { Total = total };
        response.Hosts.AddRange(page.Take(pageSize).Select(h => MapToSessionHost(h, now)));
        if (page.Count > pageSize)
        {
            response.NextPageToken = HostPageToken.For(page[pageSize - 1].HostId);
        }

        return Task.FromResult(response);
    }

    private SessionHostSettings FindHost(string hostId)
    {
        var problems = RequestValidation.HostId(hostId);
        problems.ThrowIfAny("The session host id is invalid.");

        return hosts.Find(hostId) ?? throw GatewayProblems.HostNotFound(hostId).ToRpcException();
    }

    private static Contracts.SessionHost.V1.SessionHost MapToSessionHost(SessionHostSettings host, DateTimeOffset now) => new()
    {
        HostId = host.HostId,
        Version = ContractMapping.ToContract(host.Version),
        LicensingMode = ContractMapping.ToContract(host.Mode),
        LicenseServers = { host.LicenseServers },
        PreventLicenseUpgrade = host.PreventUpgrade,
        GracePeriodStartedAt = Timestamp.FromDateTimeOffset(host.GraceStartedAt),
        GracePeriodEndsAt = Timestamp.FromDateTimeOffset(GracePeriod.EndsAt(host.GraceStartedAt)),
        GraceDaysLeft = GracePeriod.DaysLeft(host.GraceStartedAt, now),
        ConfiguredAt = Timestamp.FromDateTimeOffset(host.ConfiguredAt),
    };

    private static ConnectResponse MapToConnectResponse(ConnectOutcome outcome)
    {
        var decision = outcome.Decision;
        return new ConnectResponse
        {
            Admitted = decision.Admitted,
            Reason = ContractMapping.ToContract(decision.Reason),
            Message = decision.Message,
            Certificate = ContractMapping.ToContractCertificate(outcome.CertificateToKeep),
            CertificateDetails = decision.Certificate is null ? null : ContractMapping.ToContract(decision.Certificate),
            SessionId = outcome.SessionId ?? "",
            GraceDaysLeft = decision.GraceDaysLeft,
        };
    }
}
