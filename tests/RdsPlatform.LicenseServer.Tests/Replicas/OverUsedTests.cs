using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests.Replicas;

/// <summary>R9 across replicas: a Per User CAL comes from the OverUsed pool only when no replica left a seat free.</summary>
public sealed class OverUsedTests(PostgresDatabaseFixture database) : ReplicaTests(database, "lsover")
{
    [Fact]
    public async Task UsersRacingThroughThreeReplicasAreOverUsedOnlyOnceEverySeatIsTaken()
    {
        var replicas = Replicas.StartThree();
        await replicas[2].ActivateAsync();
        await replicas[0].InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), CalType.PerUser, count: 5));

        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            replicas[i % 3].RequestLicenseAsync(Requests.User($"user-{i}")).ResponseAsync));

        Assert.Equal(5, answers.Count(a => a.Reason == ReasonCode.PerUserRecorded));
        Assert.Equal(25, answers.Count(a => a.Reason == ReasonCode.PerUserOverused));
        Assert.All(answers.Where(a => a.Reason == ReasonCode.PerUserOverused), a => Assert.Equal(CalStatus.Overused, a.License.Status));
        var pack = Assert.Single((await replicas[1].ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal((5, 0), (pack.Issued, pack.Available));
    }
}
