using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests.Replicas;

/// <summary>
/// The last Per Device seats with three replicas deciding at once: exactly as many permanent CALs as seats, every other
/// device keeps its temporary CAL, and a device asking two replicas at the same instant gets one CAL, not two.
/// </summary>
public sealed class LastSeatsTests(PostgresDatabaseFixture database) : ReplicaTests(database, "lsseats")
{
    private const int Devices = 300;

    [Fact]
    public async Task ThreeHundredDevicesRacingThroughThreeReplicasForTenSeatsGetExactlyTenPermanentCals()
    {
        var replicas = Replicas.StartThree();
        await replicas[0].ActivateAsync();
        await replicas[1].InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 10));
        var devices = Enumerable.Range(0, Devices).Select(i => $"seat-{i}").ToList();
        var temporaries = await Task.WhenAll(devices.Select((d, i) => replicas[i % 3].RequestLicenseAsync(Requests.Device(d)).ResponseAsync));
        await Task.WhenAll(temporaries.Select((t, i) =>
            replicas[(i + 1) % 3].MarkLicenseValidatedAsync(new MarkLicenseValidatedRequest { LicenseId = t.License.LicenseId }).ResponseAsync));

        // Each device asks two different replicas at the same instant for its permanent CAL.
        var answers = await Task.WhenAll(devices.Select(async (d, i) => await Task.WhenAll(
            replicas[i % 3].RequestLicenseAsync(Requests.Device(d)).ResponseAsync,
            replicas[(i + 1) % 3].RequestLicenseAsync(Requests.Device(d)).ResponseAsync)));

        Assert.All(temporaries, t => Assert.Equal(CalStatus.Temporary, t.License.Status));
        Assert.Equal(10, answers.Count(pair => pair.Any(a => a.Reason == ReasonCode.CalUpgraded)));
        Assert.All(answers, pair => Assert.Equal(pair[0].License.LicenseId, pair[1].License.LicenseId));
        Assert.Equal(10, answers.Count(pair => pair.All(a => a.License.Status == CalStatus.Permanent)));
        Assert.Equal(Devices - 10, answers.Count(pair => pair.All(a => a.License.Status == CalStatus.Temporary)));
        Assert.Equal([10L], await Replicas.QueryAsync<long>("SELECT count(DISTINCT subject) FROM licenses WHERE key_pack_id IS NOT NULL"));
        Assert.Equal([10L], await Replicas.QueryAsync<long>("SELECT count(*) FROM licenses WHERE key_pack_id IS NOT NULL"));
        foreach (var replica in replicas)
        {
            var pack = Assert.Single((await replica.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
            Assert.Equal((10, 0), (pack.Issued, pack.Available));
        }
    }
}
