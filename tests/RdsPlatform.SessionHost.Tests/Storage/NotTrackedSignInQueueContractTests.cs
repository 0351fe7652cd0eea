using System.Collections.Concurrent;
using RdsPlatform.SessionHost.Connections;
using RdsPlatform.SessionHost.Storage;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.Storage;

/// <summary>
/// What the not-tracked outbox's rows promise on every engine: an admission committed is kept (across restarts) until it
/// is removed, oldest first; a row one replica claimed is not handed to another until it is released or its lease ends;
/// replicas delivering at once send every row exactly once.
/// </summary>
public abstract class NotTrackedSignInQueueContractTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A queue over the test's one database, as a separate process (a replica, a restart) opens it.</summary>
    protected abstract INotTrackedSignInQueue NewReplica();

    private static ConnectAttempt Attempt(int i) => new("rdsh-01", $"hw-{i}", $"pc-{i}", "WORKGROUP", $"user-{i}", default);

    [Fact]
    public void CommittedAdmissionsSurviveARestartOldestFirst()
    {
        NewReplica().Add([Attempt(1), Attempt(2)], Now);
        NewReplica().Add([Attempt(3)], Now);

        var restarted = NewReplica();
        var claimed = restarted.Claim(0, 10, Now, Now.AddMinutes(5));

        Assert.Equal(3, restarted.Count());
        Assert.Equal([Attempt(1), Attempt(2), Attempt(3)], claimed.Select(row => row.Attempt));
        Assert.True(claimed[0].Id < claimed[1].Id && claimed[1].Id < claimed[2].Id);
    }

    [Fact]
    public void AClaimedRowIsNotHandedOutAgainUntilReleasedOrItsLeaseEnds()
    {
        var first = NewReplica();
        first.Add([Attempt(1), Attempt(2), Attempt(3)], Now);
        var claimed = first.Claim(0, 2, Now, Now.AddMinutes(5));
        var other = NewReplica();

        Assert.Equal([Attempt(3)], other.Claim(0, 10, Now.AddMinutes(1), Now.AddMinutes(6)).Select(row => row.Attempt));
        first.Release([claimed[1].Id]);
        Assert.Equal([Attempt(2)], other.Claim(0, 10, Now.AddMinutes(2), Now.AddMinutes(7)).Select(row => row.Attempt));
        // The first replica stopped answering for row 1: when its lease ends, row 1 is another replica's to deliver.
        Assert.Equal([Attempt(1)], other.Claim(0, 10, Now.AddMinutes(5), Now.AddMinutes(10)).Select(row => row.Attempt));
        Assert.Equal(3, other.Count());
    }

    [Fact]
    public void RemovedRowsAreGoneAndTheCursorSkipsRowsBeforeIt()
    {
        var queue = NewReplica();
        queue.Add(Enumerable.Range(1, 5).Select(Attempt).ToList(), Now);
        var all = queue.Claim(0, 10, Now, Now.AddMinutes(5));
        queue.Remove(all[0].Id);
        queue.Remove(all[3].Id);
        queue.Release(all.Select(row => row.Id).ToList());

        var restarted = NewReplica();

        Assert.Equal(3, restarted.Count());
        Assert.Equal([Attempt(3), Attempt(5)], restarted.Claim(all[1].Id, 10, Now, Now.AddMinutes(5)).Select(row => row.Attempt));
    }

    [Fact]
    public async Task ReplicasDeliveringAtOnceSendEveryRowExactlyOnce()
    {
        const int Rows = 300;
        NewReplica().Add(Enumerable.Range(1, Rows).Select(Attempt).ToList(), Now);
        var sent = new ConcurrentBag<string>();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var replica = NewReplica();
            for (var after = 0L; replica.Claim(after, 7, Now, Now.AddMinutes(5)) is { Count: > 0 } batch; after = batch[^1].Id)
            {
                foreach (var row in batch)
                {
                    sent.Add(row.Attempt.HardwareId);
                    replica.Remove(row.Id);
                }
            }
        })));

        Assert.Equal(Rows, sent.Count);
        Assert.Equal(Rows, sent.Distinct().Count());
        Assert.Equal(0, NewReplica().Count());
    }
}

public sealed class SqliteNotTrackedSignInQueueContractTests : NotTrackedSignInQueueContractTests
{
    private readonly SqliteGatewayReplicas _replicas = new();

    protected override INotTrackedSignInQueue NewReplica() => new SqliteNotTrackedSignInQueue(_replicas.New());
}

public sealed class PostgresNotTrackedSignInQueueContractTests(PostgresDatabaseFixture fixture)
    : NotTrackedSignInQueueContractTests, IClassFixture<PostgresDatabaseFixture>, IDisposable
{
    private readonly PostgresGatewayReplicas _replicas = new(fixture, "outbox");

    protected override INotTrackedSignInQueue NewReplica() => new PostgresNotTrackedSignInQueue(_replicas.New());

    public void Dispose() => _replicas.Dispose();
}
