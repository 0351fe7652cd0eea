using System.Diagnostics;
using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.SessionHost.Connections;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.SharedCache;

/// <summary>
/// A session disconnected on one replica is over on every replica: the replica that started it (and still holds it in
/// process) refuses its SignIn, within Gateway:SessionEndedCheckInterval, with the status and sentence a disconnected
/// session gets on one replica, and a write of
/// the session that raced the Disconnect does not bring it back. On one server and on a Redis Cluster alike.
/// </summary>
public abstract class DisconnectAcrossReplicasTests<TCache>(TCache cache) : IClassFixture<TCache> where TCache : class, ISharedCache
{
    [Fact]
    public async Task ASessionDisconnectedOnAnotherReplicaIsRefusedByTheReplicaHoldingIt()
    {
        await using var farm = new Farm(cache.ConnectionString);
        var other = await farm.StartReplicaWithHostAsync("gateway-2", "rdsh-ended");
        var alone = await farm.ConnectDeviceAsync("rdsh-ended", "ended-alone");
        await farm.Gateway.DisconnectAsync(new DisconnectRequest { SessionId = alone.SessionId });
        var expected = await Requests.RefusedAsync(() => farm.Gateway.SignInAsync(new SignInRequest { SessionId = alone.SessionId }));

        var sessions = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => farm.ConnectDeviceAsync("rdsh-ended", $"ended-dev-{i}")));
        foreach (var session in sessions)
        {
            // Signed in here first: this replica has checked the session and trusts that check for Gateway:SessionEndedCheckInterval.
            await farm.Gateway.SignInAsync(new SignInRequest { SessionId = session.SessionId });
        }

        foreach (var session in sessions)
        {
            await other.DisconnectAsync(new DisconnectRequest { SessionId = session.SessionId });
        }

        var disconnected = Stopwatch.StartNew();
        foreach (var session in sessions)
        {
            var refused = await RefusedWithinAsync(farm, session.SessionId, new GatewayOptions().SessionEndedCheckInterval);

            Assert.Equal(expected.StatusCode, refused.StatusCode);
            Assert.Equal(expected.Status.Detail.Replace(alone.SessionId, session.SessionId, StringComparison.Ordinal), refused.Status.Detail);
        }

        Assert.True(disconnected.Elapsed < TimeSpan.FromSeconds(10), $"Refusing 20 sessions ended elsewhere took {disconnected.Elapsed}.");
    }

    /// <summary>The refusal of a SignIn on the first replica, which must come once the check interval has passed (slack for a loaded machine).</summary>
    private static async Task<RpcException> RefusedWithinAsync(Farm farm, string sessionId, TimeSpan interval)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await farm.Gateway.SignInAsync(new SignInRequest { SessionId = sessionId });
            }
            catch (RpcException refused)
            {
                return refused;
            }

            Assert.True(deadline.Elapsed < interval + TimeSpan.FromSeconds(3), $"Session {sessionId}, ended on another replica, was still signed in {deadline.Elapsed} later (bound: {interval}).");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task ASessionWrittenBackByItsReplicaAfterAnotherEndedItStaysEndedOnEveryReplica()
    {
        await using var first = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        await using var second = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        await using var third = await new CacheReplica(cache.ConnectionString).ConnectedAsync();
        var session = new SessionState(Guid.NewGuid().ToString("N"), "rdsh-late", "late-dev", "PC-late-dev", "CONTOSO", "alice", null, false, null, false);
        await first.Registry.StartAsync(session, CancellationToken.None);
        Assert.NotNull(await second.Sessions.FindAsync(session.SessionId, CancellationToken.None));
        Assert.True(await second.Registry.EndAsync(session.SessionId, CancellationToken.None));

        // A SignIn on the first replica that raced the Disconnect records its CAL: the session is written to the cache again.
        await first.Registry.UpdateAsync(session with { LicenseId = Guid.NewGuid() }, CancellationToken.None);
        Assert.NotNull(await third.Sessions.FindAsync(session.SessionId, CancellationToken.None));

        Assert.Null(await third.Registry.FindAsync(session.SessionId, CancellationToken.None));
        Assert.Null(await first.Registry.FindAsync(session.SessionId, CancellationToken.None));
    }
}
