using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
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
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "rds-accepted-key-tests", Guid.NewGuid().ToString("N"));
    private readonly WebApplicationFactory<LicenseServerService> _factory;
    private readonly GrpcChannel _channel;

    public AcceptedKeyTests()
    {
        _factory = new WebApplicationFactory<LicenseServerService>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.UseTestKeys();
            web.UseSetting("Storage:DataDirectory", _dataDirectory);
        });
        _factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _channel = GrpcChannel.ForAddress(address);
    }

    private ApiKeyStore Keys => _factory.Services.GetRequiredService<ApiKeyStore>();

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

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _factory.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold a pooled handle for a moment; the folder is in the temp area.
        }
    }
}
