using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.ServiceDefaults.Security;
using RdsPlatform.Testing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.Security.Tests;

/// <summary>
/// A key accepted on a connection is not hashed again for the same header on later calls, nor authorized again by the
/// framework on an RPC that admitted it (<see cref="AdmittedCallShortcut"/>), and that never lets a different key, a
/// missing key, the same key on an RPC its role may not call, or a session-host key for another host through, however
/// often they come. The license server runs on real Kestrel sockets: the reuse depends on Kestrel handing a reused
/// HTTP/2 stream the same header string.
/// </summary>
public sealed class AcceptedKeyTests : IAsyncLifetime
{
    private readonly ServiceFarm _services = new("rds-accepted-key-tests", onKestrel: true);
    private readonly CountingAuthorizationHandler _evaluations = new();
    private readonly ServiceHost<LicenseServerService> _host;
    private readonly GrpcChannel _channel;

    public AcceptedKeyTests()
    {
        _host = _services.Start<LicenseServerService>("license-server",
            setup => setup.TestServices.Add(services => services.AddSingleton<IAuthorizationHandler>(_evaluations)));
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

    [Fact]
    public async Task ManyCallsOfOneKeyToOneRpcAreAuthorizedByTheFrameworkOnlyOnTheFirstFew()
    {
        var client = new LicenseServerClient(_channel.WithBearer(TestKeys.Admin));
        await client.GetServerInfoAsync(new GetServerInfoRequest());
        var before = _evaluations.Count;

        for (var i = 0; i < 100; i++)
        {
            await client.GetServerInfoAsync(new GetServerInfoRequest());
        }

        Assert.True(_evaluations.Count - before <= 5, $"{_evaluations.Count - before} of 100 calls were authorized again.");
    }

    [Fact]
    public async Task AnAdmittedKeyIsRefusedEveryTimeOnAnRpcItsRoleMayNotCall()
    {
        var client = new LicenseServerClient(_channel.WithBearer(TestKeys.Reporter));
        for (var i = 0; i < 20; i++)
        {
            await client.GetServerInfoAsync(new GetServerInfoRequest());
            var error = await Assert.ThrowsAsync<RpcException>(() => client.InstallKeyPackAsync(new InstallKeyPackRequest()).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
            Assert.Contains("has the role reporter, which may not call", error.Status.Detail);
        }
    }

    [Fact]
    public async Task CallsWithoutAKeyOrWithAnUnknownKeyBetweenAdmittedCallsAreStillUnauthenticated()
    {
        var known = new LicenseServerClient(_channel.WithBearer(TestKeys.Admin));
        var unknown = new LicenseServerClient(_channel.WithBearer(TestKeys.Admin + "x"));
        var none = new LicenseServerClient(_channel);
        // Four rounds of two failures stay under the failed-authentication limit (10), which would answer ResourceExhausted.
        for (var i = 0; i < 4; i++)
        {
            await known.GetServerInfoAsync(new GetServerInfoRequest());
            var wrong = await Assert.ThrowsAsync<RpcException>(() => unknown.GetServerInfoAsync(new GetServerInfoRequest()).ResponseAsync);
            var missing = await Assert.ThrowsAsync<RpcException>(() => none.GetServerInfoAsync(new GetServerInfoRequest()).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
            Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        }
    }

    [Fact]
    public async Task AnAdmittedSessionHostKeyIsStillLimitedToItsOwnHostsEveryTime()
    {
        var client = new LicenseServerClient(_channel.WithBearer(TestKeys.RestrictedSessionHost));
        var shortcut = _host.Services.GetRequiredService<AdmittedCallShortcut>();
        for (var i = 0; i < 10; i++)
        {
            // The RPC limits a session-host key to its host ids from the caller the shortcut signed in.
            var error = await Assert.ThrowsAsync<RpcException>(() => client.RequestLicenseAsync(Requests.Device($"device-{i}", hostId: "host-2")).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
            Assert.Contains("may not act for session host 'host-2'", error.Status.Detail);
        }

        Assert.True(shortcut.Decisions >= 1, "The shortcut remembered no decision: every call went through the framework.");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _services.DisposeAsync();

    /// <summary>Counts the framework's authorization evaluations (every policy evaluation calls every handler).</summary>
    private sealed class CountingAuthorizationHandler : IAuthorizationHandler
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task HandleAsync(AuthorizationHandlerContext context)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }
}
