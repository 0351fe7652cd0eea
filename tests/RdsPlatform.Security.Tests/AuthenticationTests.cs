using Microsoft.Extensions.Configuration;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.ServiceDefaults.Security;
using RdsPlatform.Testing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.Security.Tests;

/// <summary>Who may call what: keys, roles and the role table every RPC declares.</summary>
public sealed class AuthenticationTests : IAsyncLifetime
{
    // The matrix makes many unauthenticated calls on purpose; the failure limit has its own tests.
    private readonly Platform _platform = new(allServiceSettings: new Dictionary<string, string?> { ["Auth:FailureLimit"] = "100000" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _platform.DisposeAsync();

    [Fact]
    public void EveryRpcOfEveryServiceDeclaresWhichRolesMayCallIt()
    {
        var undeclared = RpcCatalog.All.Where(r => r.AllowedRoles.Count == 0).Select(r => r.ToString()).ToList();

        Assert.Empty(undeclared);
        Assert.True(RpcCatalog.All.Count >= 33, $"Only {RpcCatalog.All.Count} RPCs were found.");
    }

    [Fact]
    public async Task EveryRpcRefusesACallWithoutAKeyOrWithAnUnknownKeyAsUnauthenticated()
    {
        foreach (var rpc in RpcCatalog.All)
        {
            var server = _platform.Servers[rpc.Server];
            var none = await RpcCatalog.CallAsync(_platform.Invoker(server, null), rpc, Empty(rpc));
            var unknown = await RpcCatalog.CallAsync(_platform.Invoker(server, "not-a-key-anyone-has"), rpc, Empty(rpc));

            Assert.True(none.StatusCode == StatusCode.Unauthenticated, $"{rpc} without a key: {none}");
            Assert.Contains("authorization: Bearer <key>", none.Detail);
            Assert.True(unknown.StatusCode == StatusCode.Unauthenticated, $"{rpc} with an unknown key: {unknown}");
            Assert.Contains("not one this service knows", unknown.Detail);
        }
    }

    [Fact]
    public async Task EveryRoleIsAdmittedExactlyWhereItsRpcDeclaresIt()
    {
        foreach (var rpc in RpcCatalog.All)
        {
            foreach (var role in RdsRoles.All)
            {
                var status = await RpcCatalog.CallAsync(_platform.Invoker(_platform.Servers[rpc.Server], TestKeys.ForRole(role)), rpc, Empty(rpc));
                if (rpc.AllowedRoles.Contains(role))
                {
                    Assert.True(status.StatusCode is not (StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.Internal or StatusCode.Unknown),
                        $"{rpc} should admit {role}: {status}");
                }
                else
                {
                    Assert.True(status.StatusCode == StatusCode.PermissionDenied, $"{rpc} should refuse {role}: {status}");
                    Assert.Contains($"has the role {role}, which may not call {rpc.FullName}", status.Detail);
                }
            }
        }
    }

    [Fact]
    public async Task AnAuthorizationHeaderThatIsNotABearerKeyIsUnauthenticated()
    {
        var client = new LicenseServerClient(_platform.Channel(_platform.LicenseServerHost.Server));
        var headers = new Metadata { { "authorization", $"Basic {TestKeys.Admin}" } };

        var error = await Assert.ThrowsAsync<RpcException>(() => client.GetServerInfoAsync(new GetServerInfoRequest(), headers).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task AnOversizedAuthorizationHeaderIsUnauthenticated()
    {
        var client = new LicenseServerClient(_platform.Channel(_platform.LicenseServerHost.Server));
        var headers = new Metadata { { "authorization", "Bearer " + new string('k', 10_000) } };

        var error = await Assert.ThrowsAsync<RpcException>(() => client.GetServerInfoAsync(new GetServerInfoRequest(), headers).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task HealthNeedsNoKeyOnAnyService()
    {
        foreach (var server in _platform.Servers.Values)
        {
            var health = new Health.HealthClient(_platform.Channel(server));

            var reply = await health.CheckAsync(new HealthCheckRequest());

            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        }
    }

    [Fact]
    public async Task AKeyConfiguredOnlyByItsHashIsAccepted()
    {
        const string key = "hashed-only-admin-key";
        var hash = Convert.ToHexString(ApiKeyStore.Hash(key));
        await using var platform = new Platform(licenseServerSettings: new Dictionary<string, string?>
        {
            ["Auth:Keys:hashed:KeySha256"] = hash,
            ["Auth:Keys:hashed:Role"] = "admin",
        });

        var info = await new LicenseServerClient(platform.LicenseServer(key)).GetServerInfoAsync(new GetServerInfoRequest());

        Assert.False(string.IsNullOrEmpty(info.Server.ServerId));
    }

    [Fact]
    public void ASessionHostKeyWithoutHostIdsStopsTheServiceWithASentence()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Keys:broken:Key"] = "k",
            ["Auth:Keys:broken:Role"] = "session-host",
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => new ApiKeyStore(configuration));

        Assert.Contains("Auth:Keys:broken:HostIds:0", error.Message);
    }

    [Fact]
    public void AnUnknownRoleStopsTheServiceWithASentence()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Keys:odd:Key"] = "k",
            ["Auth:Keys:odd:Role"] = "superuser",
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => new ApiKeyStore(configuration));

        Assert.Contains("admin, session-host, client, reporter", error.Message);
    }

    private static IMessage Empty(Rpc rpc) => rpc.Descriptor.InputType.Parser.ParseFrom(ByteString.Empty);
}
