using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Testing;
using ReportingClient = RdsPlatform.Contracts.Reporting.V1.Reporting.ReportingClient;

namespace RdsPlatform.Security.Tests;

/// <summary>
/// An RPC whose implementation declares no roles can be called by no key (the fallback policy), while a method the
/// service does not have is still answered Unimplemented and health stays open. The host is the services' own
/// defaults with a service implementation that carries no <c>[AllowRoles]</c>.
/// </summary>
public sealed class DenyByDefaultTests : IAsyncLifetime
{
    private WebApplication? _app;
    private GrpcChannel? _channel;

    private GrpcChannel Channel => _channel!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseTestServer();
        foreach (var (key, value) in TestKeys.Settings)
        {
            builder.Configuration[key] = value;
        }

        builder.AddServiceDefaults();
        _app = builder.Build();
        _app.MapDefaultEndpoints();
        _app.MapGrpcService<UndeclaredReporting>();
        await _app.StartAsync();
        var server = _app.GetTestServer();
        _channel = GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.CreateHandler() });
    }

    [Fact]
    public async Task AnRpcWithoutDeclaredRolesIsRefusedToTheAdministratorKey()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new ReportingClient(Channel.WithBearer(TestKeys.Admin)).ListReportsAsync(new ListReportsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("No API key may call /rds.reporting.v1.Reporting/ListReports.", error.Status.Detail);
    }

    [Fact]
    public async Task AnRpcWithoutDeclaredRolesCalledWithoutAKeyIsUnauthenticated()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new ReportingClient(Channel).ListReportsAsync(new ListReportsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(TestKeys.Admin)]
    public async Task AMethodTheServiceDoesNotHaveIsUnimplementedWithOrWithoutAKey(string? key)
    {
        var invoker = key is null ? Channel.CreateCallInvoker() : Channel.WithBearer(key);
        var missing = new Method<ListReportsRequest, ListReportsResponse>(
            MethodType.Unary, "rds.reporting.v1.Reporting", "NoSuchMethod", Marshallers.Create(r => r.ToByteArray(), ListReportsRequest.Parser.ParseFrom), Marshallers.Create(r => r.ToByteArray(), ListReportsResponse.Parser.ParseFrom));

        var error = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(missing, null, new CallOptions(), new ListReportsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task HealthNeedsNoKey()
    {
        var reply = await new Health.HealthClient(Channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>The reporting contract with no roles declared on any method (and no body: each answers Unimplemented if reached).</summary>
    private sealed class UndeclaredReporting : Contracts.Reporting.V1.Reporting.ReportingBase;
}
