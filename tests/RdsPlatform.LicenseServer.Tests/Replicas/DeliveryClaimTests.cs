using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests.Replicas;

/// <summary>
/// A delivery one replica is sending is not sent again by another (a replica starting, or any replica's sweep of pending
/// deliveries, finds its row claimed): the receiver gets it once, from the replica that raised it.
/// </summary>
public sealed class DeliveryClaimTests(PostgresDatabaseFixture database) : AlertReplicaTests(database, "lsclaim")
{
    [Fact]
    public async Task ADeliveryInFlightIsNotSentAgainByAReplicaStartingBesideIt()
    {
        // The first POST is held 6 s unanswered: long enough for a second replica to start and look at pending deliveries.
        Receiver.DelayBeforeAnswer = n => n == 1 ? TimeSpan.FromSeconds(6) : null;
        var client = LicenseServerReplicas.Client(Replicas.Start("ls-a"));
        await client.ActivateAsync();
        await SubscribeAsync(client, AlertType.PoolNone);
        await client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 1));
        await client.PermanentDeviceAsync("hw-last");
        await Receiver.WaitForAsync(1);

        Replicas.Start("ls-b");
        var received = await ReceivedAsync("pool.none", 1);
        await Task.Delay(TimeSpan.FromSeconds(6));

        Assert.Single(Receiver.Received);
        Assert.Single(received);
        Assert.Equal(["2"], await Replicas.QueryAsync<string>("SELECT status::text FROM webhook_deliveries"));
    }
}
