using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests.Replicas;

/// <summary>
/// A pool that runs out through three replicas at once is alerted once (one ALERT_RAISED event, one webhook delivery):
/// only the holder of the background-work lease judges the pools. When that replica stops, another raises the next alert.
/// </summary>
public sealed class PoolAlertsAcrossReplicasTests(PostgresDatabaseFixture database) : AlertReplicaTests(database, "lsalerts")
{
    private const string RunOut = "has no CAL left";

    [Fact]
    public async Task APoolRunOutThroughThreeReplicasAtOnceIsAlertedAndDeliveredOnce()
    {
        var clients = Replicas.StartThree();
        await clients[0].ActivateAsync();
        await SubscribeAsync(clients[1], AlertType.PoolNone);
        await clients[2].InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 12));

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => clients[i % 3].PermanentDeviceAsync($"hw-{i}")));
        var received = await ReceivedAsync("pool.none", 1);
        var alerts = await AlertsAsync(RunOut, 1);

        Assert.Single(alerts);
        Assert.Single(received);
    }

    [Fact]
    public async Task WhenTheReplicaRaisingAlertsStopsAnotherRaisesTheNextOnce()
    {
        var replicas = new[] { Replicas.Start("ls-a"), Replicas.Start("ls-b"), Replicas.Start("ls-c") };
        var clients = replicas.Select(LicenseServerReplicas.Client).ToArray();
        await clients[0].ActivateAsync();
        await SubscribeAsync(clients[0], AlertType.PoolNone);
        await clients[0].InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 6));
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => clients[i % 3].PermanentDeviceAsync($"first-{i}")));
        Assert.Single(await AlertsAsync(RunOut, 1));

        var holder = await HolderAsync(replicas);
        await Replicas.StopAsync(holder);
        var survivors = replicas.Where(r => r != holder).Select(LicenseServerReplicas.Client).ToArray();
        await survivors[0].InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 6));
        await StoredAsync(availability: 1);
        Assert.Single(await AlertsAsync(RunOut, 1));
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => survivors[i % 2].PermanentDeviceAsync($"second-{i}")));
        var alerts = await AlertsAsync(RunOut, 2);
        var received = await ReceivedAsync("pool.none", 2);

        // The details name the pool's size, so a failure says which run-out was alerted twice.
        Assert.Collection(alerts, first => Assert.Contains("(6 installed)", first), second => Assert.Contains("(12 installed)", second));
        Assert.Equal(2, received.Count);
        Assert.Equal(2, received.Select(d => d.DeliveryId).Distinct().Count());
    }

    /// <summary>Waits until the stored state of the pool says <paramref name="availability"/> (the new holder judged the recovery).</summary>
    private async Task StoredAsync(int availability)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await Replicas.QueryAsync<string>("SELECT state FROM alert_state WHERE alert_key LIKE 'pool/%'")).All(s => !s.StartsWith($"{availability}/", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "No replica judged the pool after the holder stopped.");
            await Task.Delay(50);
        }
    }
}
