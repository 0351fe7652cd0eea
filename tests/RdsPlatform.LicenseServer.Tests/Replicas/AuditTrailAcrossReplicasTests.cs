using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests.Replicas;

/// <summary>
/// The audit trail while three replicas commit at once: a follower streaming it from one replica gets every event
/// exactly once, in strictly increasing order, the same list the database holds at the end (no event committed later
/// with a smaller sequence number is skipped).
/// </summary>
public sealed class AuditTrailAcrossReplicasTests(PostgresDatabaseFixture database) : ReplicaTests(database, "lsaudit", new Dictionary<string, string?> { ["LicenseServer:AuditFollowPollInterval"] = "00:00:00.1" })
{
    private const int Writes = 150;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AFollowerOnOneReplicaGetsEveryEventThreeReplicasCommitOnceAndInOrder()
    {
        var replicas = Replicas.StartThree();
        using var cancel = new CancellationTokenSource(Patience);
        using var follow = replicas[2].GetAuditTrail(new GetAuditTrailRequest { Follow = true }, cancellationToken: cancel.Token);
        var followed = new List<long>();

        var writing = Task.WhenAll(Enumerable.Range(0, Writes).Select(i =>
            replicas[i % 3].RequestLicenseAsync(Requests.Device($"trail-{i}")).ResponseAsync));
        while (followed.Count < Writes && await follow.ResponseStream.MoveNext(cancel.Token))
        {
            followed.Add(follow.ResponseStream.Current.Sequence);
        }

        await writing;
        var stored = await Replicas.QueryAsync<long>("SELECT sequence FROM audit_events ORDER BY sequence");
        Assert.Equal(Writes, stored.Count);
        Assert.Equal(stored, followed);
        Assert.True(followed.Zip(followed.Skip(1)).All(p => p.First < p.Second), "The followed trail is not strictly increasing.");
    }
}
