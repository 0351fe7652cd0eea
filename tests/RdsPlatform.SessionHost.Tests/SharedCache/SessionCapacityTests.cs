using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.SharedCache;

/// <summary>
/// The gateway holds a bounded number of sessions and token states in process; the shared cache keeps the others, on one
/// server and on a Redis Cluster alike.
/// </summary>
public abstract class SessionCapacityTests<TCache>(TCache cache) : IClassFixture<TCache> where TCache : class, ISharedCache
{
    [Fact]
    public async Task SessionsPushedOutOfProcessAreStillSignedInAndDisconnectedThroughTheCache()
    {
        await using var farm = new Farm(cache.ConnectionString);
        farm.GatewaySettings["Gateway:SessionCacheCapacity"] = "3";
        await farm.RestartGatewayAsync();
        await farm.ConfigureAsync("rdsh-cap", LicensingMode.PerDevice);

        var sessions = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var connected = await farm.ConnectDeviceAsync("rdsh-cap", $"cap-dev-{i}");
            Assert.True(connected.Admitted, connected.ToString());
            sessions.Add(connected.SessionId);
        }

        // The first sessions are no longer in process (3 at most); each is still known through the cache.
        foreach (var sessionId in sessions)
        {
            var signIn = await farm.Gateway.SignInAsync(new SignInRequest { SessionId = sessionId });
            Assert.NotEqual(ReasonCode.Unspecified, signIn.Reason);
        }

        await farm.Gateway.DisconnectAsync(new DisconnectRequest { SessionId = sessions[0] });
        var gone = await Assert.ThrowsAsync<RpcException>(() => farm.Gateway.SignInAsync(new SignInRequest { SessionId = sessions[0] }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task ASessionWhoseCertificateLeftTheProcessSignsInWithItsCal()
    {
        await using var farm = new Farm(cache.ConnectionString);
        farm.GatewaySettings["Gateway:TokenCacheCapacity"] = "3";
        await farm.RestartGatewayAsync();
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, 5);
        await farm.ConfigureAsync("rdsh-tok", LicensingMode.PerDevice);
        farm.AdvanceDays(121);

        var temporary = await farm.ConnectDeviceAsync("rdsh-tok", "tok-dev");
        Assert.Equal(ReasonCode.TemporaryCalIssued, temporary.Reason);
        Assert.Equal(ReasonCode.ValidCal, (await farm.Gateway.SignInAsync(new SignInRequest { SessionId = temporary.SessionId })).Reason);
        var upgraded = await farm.ConnectDeviceAsync("rdsh-tok", "tok-dev", temporary.Certificate);
        Assert.Equal(ReasonCode.CalUpgraded, upgraded.Reason);
        var connected = await farm.ConnectDeviceAsync("rdsh-tok", "tok-dev", upgraded.Certificate);
        Assert.Equal(ReasonCode.ValidCal, connected.Reason);

        // Other devices push tok-dev's token state out of process (3 at most); the shared cache still has it.
        for (var i = 0; i < 12; i++)
        {
            Assert.True((await farm.ConnectDeviceAsync("rdsh-tok", $"tok-other-{i}")).Admitted);
        }

        var signIn = await farm.Gateway.SignInAsync(new SignInRequest { SessionId = connected.SessionId });
        Assert.Equal(ReasonCode.ValidCal, signIn.Reason);
        Assert.Equal(upgraded.CertificateDetails.LicenseId, signIn.CertificateDetails.LicenseId);
    }
}

/// <summary>Sessions and token states beyond the in-process capacity on one Redis-protocol server (Garnet).</summary>
public sealed class SessionCapacityOnOneServerTests(GarnetFixture cache) : SessionCapacityTests<GarnetFixture>(cache);

/// <summary>Sessions and token states beyond the in-process capacity on a 3-master Redis Cluster.</summary>
public sealed class SessionCapacityOnRedisClusterTests(RedisClusterFixture cache) : SessionCapacityTests<RedisClusterFixture>(cache);
