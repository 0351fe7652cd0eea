using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests.Replicas;

/// <summary>R8 across replicas: revocations asked of three replicas at once stop at exactly 20% of a version's Per Device CALs.</summary>
public sealed class RevokeCapTests(PostgresDatabaseFixture database) : ReplicaTests(database, "lscap")
{
    [Fact]
    public async Task RevocationsSpreadOverThreeReplicasStopAtExactlyTwentyPercent()
    {
        var replicas = Replicas.StartThree();
        await replicas[0].ActivateAsync();
        await replicas[0].InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 20));
        var permanent = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => replicas[i % 3].PermanentDeviceAsync($"cap-{i}")));
        Assert.All(permanent, p => Assert.Equal(CalStatus.Permanent, p.License.Status));

        var results = await Task.WhenAll(permanent.Select((p, i) => LicenseServerReplicas.TryAsync(
            replicas[i % 3].RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = p.License.LicenseId }))));

        Assert.Equal(4, results.Count(r => r.Status == StatusCode.OK));
        Assert.Equal(16, results.Count(r => r.Status == StatusCode.FailedPrecondition));
        Assert.Equal([4L], await Replicas.QueryAsync<long>("SELECT count(*) FROM licenses WHERE revoked_at IS NOT NULL"));
    }
}
