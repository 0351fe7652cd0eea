using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;
using HostView = RdsPlatform.Contracts.SessionHost.V1.SessionHost;

namespace RdsPlatform.SessionHost.Tests.Replicas;

/// <summary>
/// Two gateway processes on one PostgreSQL database and one cache: a host configured through one is used by the other,
/// a new host at once (read through on a miss), a changed host as soon as the cache's notice arrives, and a changed host
/// whose notice never arrives within <c>Gateway:HostRefreshInterval</c>; either lists the hosts of both.
/// </summary>
public sealed class HostSettingsAcrossReplicasTests(PostgresDatabaseFixture database, GarnetFixture garnet)
    : GatewayReplicaTests(database, garnet)
{
    [Fact]
    public async Task AHostConfiguredOnOneReplicaAdmitsItsFirstConnectionOnTheOtherAtOnce()
    {
        await using var farm = await FarmOnPostgresAsync();
        var other = farm.StartGatewayReplica("gateway-b");

        await farm.ConfigureAsync("rdsh-new", LicensingMode.PerDevice);
        var connect = await other.Client.ConnectAsync(Requests.Connect("rdsh-new", "new-dev-1"));

        Assert.True(connect.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalIssued, connect.Reason);
    }

    [Fact]
    public async Task AHostReconfiguredOnOneReplicaIsServedWithItsNewSettingsByTheOtherWhenTheNoticeArrives()
    {
        await using var farm = await FarmOnPostgresAsync();
        var other = farm.StartGatewayReplica("gateway-b");
        await farm.ConfigureAsync("rdsh-changed", LicensingMode.PerDevice);
        Assert.Equal(LicensingMode.PerDevice, (await other.Client.GetSessionHostAsync(new GetSessionHostRequest { HostId = "rdsh-changed" })).Host.LicensingMode);

        await farm.ConfigureAsync("rdsh-changed", LicensingMode.PerUser, ProductVersion._2025);
        var served = await ModeOnceAsync(other, "rdsh-changed", LicensingMode.PerUser, TimeSpan.FromSeconds(2));

        Assert.Equal((LicensingMode.PerUser, ProductVersion._2025), (served.LicensingMode, served.Version));
    }

    [Fact]
    public async Task AReplicaThatMissedTheNoticeServesTheNewSettingsWithinTheRefreshInterval()
    {
        await using var farm = await FarmOnPostgresAsync(("Gateway:HostRefreshInterval", "00:00:00.200"));
        // Without the cache this replica hears no notice: only the database tells it of the change.
        var deaf = farm.StartGatewayReplica("gateway-deaf", withCache: false);
        await farm.ConfigureAsync("rdsh-missed", LicensingMode.PerDevice);
        Assert.Equal(LicensingMode.PerDevice, (await deaf.Client.GetSessionHostAsync(new GetSessionHostRequest { HostId = "rdsh-missed" })).Host.LicensingMode);

        await farm.ConfigureAsync("rdsh-missed", LicensingMode.PerUser);
        var served = await ModeOnceAsync(deaf, "rdsh-missed", LicensingMode.PerUser, TimeSpan.FromSeconds(5));

        Assert.Equal(LicensingMode.PerUser, served.LicensingMode);
    }

    [Fact]
    public async Task HostsRegisteredOnBothReplicasAreListedByEitherAndPagedAcrossThemWithEachOthersPageTokens()
    {
        await using var farm = await FarmOnPostgresAsync();
        var other = farm.StartGatewayReplica("gateway-b");
        await farm.ConfigureAsync("rdsh-list-a", LicensingMode.PerDevice);
        await other.Client.ConfigureSessionHostAsync(Requests.ConfigureHost("rdsh-list-b", LicensingMode.PerUser));
        await farm.ConfigureAsync("rdsh-list-c", LicensingMode.PerDevice);

        var first = await other.Client.ListSessionHostsAsync(new ListSessionHostsRequest { PageSize = 2 });
        var second = await farm.Gateway.ListSessionHostsAsync(new ListSessionHostsRequest { PageSize = 2, PageToken = first.NextPageToken });

        Assert.Equal(["rdsh-list-a", "rdsh-list-b", "rdsh-list-c"], first.Hosts.Concat(second.Hosts).Select(h => h.HostId));
        Assert.Equal((3, 3), (first.Total, second.Total));
        Assert.Equal("", second.NextPageToken);
    }

    /// <summary>The host as the replica serves it, asked every 50 ms until it has <paramref name="mode"/> or <paramref name="bound"/> passed.</summary>
    private static async Task<HostView> ModeOnceAsync(GatewayReplica replica, string hostId, LicensingMode mode, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            var host = (await replica.Client.GetSessionHostAsync(new GetSessionHostRequest { HostId = hostId })).Host;
            if (host.LicensingMode == mode || DateTime.UtcNow > deadline)
            {
                return host;
            }

            await Task.Delay(50);
        }
    }
}
