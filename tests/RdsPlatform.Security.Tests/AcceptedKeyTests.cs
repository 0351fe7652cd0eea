using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.ServiceDefaults.Security;
using RdsPlatform.Testing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.Security.Tests;

/// <summary>
/// A key accepted on a connection is not hashed again for the same header on later calls, and that never lets a
/// different key, or the same key on an RPC its role may not call, through. The license server runs on real Kestrel
/// sockets: the reuse depends on Kestrel handing a reused HTTP/2 stream the same header string.
/// </summary>
public sealed class AcceptedKeyTests : IAsyncDisposable
{
    private readonly ServiceFarm _services = new("rds-accepted-key-tests", onKestrel: true);
    private readonly ServiceHost<LicenseServerService> _host;
    private readonly GrpcChannel _channel;

    public AcceptedKeyTests()
    {
        _host = _services.Start<LicenseServerService>("license-server");
        _channel = _host.Channel;
    }

    private ApiKeyStore Keys => _host.Services.GetRequiredService<ApiKeyStore>();

    [Fact]
    public async Task ManyCallsWithOneKeyOnOneConnectionHashTheKeyOnlyOnTheFirstFew()
    {
        var client = new LicenseServerClient(_channel.WithBearer(TestKeys.Admin));
        await client.GetServerInfoAsync(new GetServerInfoRequest());
        var before = Keys.HashesComputed;

        for (var i = 0; i < 100; i++)
        {
            await client.GetServerInfoAsync(new GetServerInfoRequest());
        }

        Assert.True(Keys.HashesComputed - before <= 5, $"{Keys.HashesComputed - before} of 100 calls hashed the key again.");
    }

    [Fact]
    public async Task AnUnknownKeyAfterAnAcceptedOneOnTheSameConnectionIsStillUnauthenticated()
    {
        var known = new LicenseServerClient(_channel.WithBearer(TestKeys.Admin));
        var unknown = new LicenseServerClient(_channel.WithBearer(TestKeys.Admin + "x"));
        for (var i = 0; i < 10; i++)
        {
            await known.GetServerInfoAsync(new GetServerInfoRequest());
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => unknown.GetServerInfoAsync(new GetServerInfoRequest()).ResponseAsync);
        await known.GetServerInfoAsync(new GetServerInfoRequest());

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task AnAcceptedKeyIsStillRefusedOnAnRpcItsRoleMayNotCall()
    {
        var client = new LicenseServerClient(_channel.WithBearer(TestKeys.Reporter));
        for (var i = 0; i < 10; i++)
        {
            await client.GetServerInfoAsync(new GetServerInfoRequest());
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => client.InstallKeyPackAsync(new InstallKeyPackRequest()).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
