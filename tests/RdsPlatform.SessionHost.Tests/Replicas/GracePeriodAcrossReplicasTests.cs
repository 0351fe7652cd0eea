using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.Replicas;

/// <summary>
/// R1 across gateway replicas on one PostgreSQL database: a host's 120-day grace period starts once, when it is first
/// registered, and no new replica, restart, reconfiguration through another replica or cache flush starts it again.
/// </summary>
public sealed class GracePeriodAcrossReplicasTests(PostgresDatabaseFixture database, GarnetFixture garnet)
    : GatewayReplicaTests(database, garnet)
{
    [Fact]
    public async Task NeitherANewReplicaNorARestartNorACacheFlushRestartsAGracePeriod()
    {
        await using var farm = await FarmOnPostgresAsync();
        var registered = await farm.ConfigureAsync("rdsh-grace", LicensingMode.NotConfigured);
        farm.AdvanceDays(30);

        // A replica that starts now registers the host again, as an administrator's script run against it would.
        var newcomer = farm.StartGatewayReplica("gateway-new");
        var reconfigured = await newcomer.Client.ConfigureSessionHostAsync(Requests.ConfigureHost("rdsh-grace", LicensingMode.NotConfigured, ProductVersion._2025));
        await farm.RestartGatewayAsync();
        await Garnet.FlushAsync();
        var onNewcomer = await newcomer.Client.ConnectAsync(Requests.Connect("rdsh-grace", "grace-dev-1"));
        var onRestarted = await farm.ConnectDeviceAsync("rdsh-grace", "grace-dev-2");

        Assert.Equal(registered.Host.GracePeriodStartedAt, reconfigured.Host.GracePeriodStartedAt);
        Assert.Equal((ReasonCode.GracePeriod, 90), (onNewcomer.Reason, onNewcomer.GraceDaysLeft));
        Assert.Equal((ReasonCode.GracePeriod, 90), (onRestarted.Reason, onRestarted.GraceDaysLeft));
    }
}
