using System.Collections.Concurrent;
using RdsPlatform.SessionHost.Connections;
using RdsPlatform.SessionHost.Storage;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.Storage;

/// <summary>
/// What the not-tracked outbox's rows promise on every engine: an admission committed is kept (across restarts) until it
/// is delivered, oldest first; one not delivered, or whose delivery failed, waits for a later round. On PostgreSQL, shared
/// by replicas: a row one replica is delivering is not sent by another, and replicas delivering at once send each row once.
/// </summary>
public abstract class NotTrackedSignInQueueContractTests
{
    protected static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A queue over the test's one database, as a separate process (a replica, a restart) opens it.</summary>
    protected abstract INotTrackedSignInQueue NewReplica();

    protected static ConnectAttempt Attempt(int i) => new("rdsh-01", $"hw-{i}", $"pc-{i}", "WORKGROUP", $"user-{i}", default);

    /// <summary>One delivery round from the start: each row offered to <paramref name="deliver"/>; the ones offered, in order.</summary>
    protected static async Task<List<ConnectAttempt>> RoundAsync(INotTrackedSignInQueue queue, Func<ConnectAttempt, bool> deliver)
    {
        var offered = new List<ConnectAttempt>();
        for (long? after = 0; after is { } last;)
        {
            after = await queue.DeliverNextAsync(last, attempt =>
            {
                offered.Add(attempt);
                return Task.FromResult(deliver(attempt));
            }, CancellationToken.None);
        }

        return offered;
    }

    [Fact]
    public async Task CommittedAdmissionsSurviveARestartAndAreOfferedOldestFirst()
    {
        NewReplica().Add([Attempt(1), Attempt(2)], Now);
        NewReplica().Add([Attempt(3)], Now);

        var restarted = NewReplica();

        Assert.Equal(3, restarted.Count());
        Assert.Equal([Attempt(1), Attempt(2), Attempt(3)], await RoundAsync(restarted, _ => false));
        Assert.Equal(3, restarted.Count());
    }

    [Fact]
    public async Task DeliveredRowsAreGoneAndTheOthersWaitForTheNextRound()
    {
        var queue = NewReplica();
        queue.Add(Enumerable.Range(1, 5).Select(Attempt).ToList(), Now);

        await RoundAsync(queue, attempt => attempt.HardwareId is "hw-1" or "hw-4");
        var restarted = NewReplica();

        Assert.Equal(3, restarted.Count());
        Assert.Equal([Attempt(2), Attempt(3), Attempt(5)], await RoundAsync(restarted, _ => true));
        Assert.Equal(0, restarted.Count());
    }

    [Fact]
    public async Task ARowWhoseDeliveryFailedIsKept()
    {
        var queue = NewReplica();
        queue.Add([Attempt(1)], Now);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            queue.DeliverNextAsync(0, _ => throw new InvalidOperationException("the process died here"), CancellationToken.None));

        Assert.Equal([Attempt(1)], await RoundAsync(NewReplica(), _ => true));
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

    [Fact]
    public async Task ARowOneReplicaIsDeliveringIsSkippedByAnother()
    {
        NewReplica().Add([Attempt(1), Attempt(2)], Now);
        var inDelivery = new TaskCompletionSource();
        var finish = new TaskCompletionSource<bool>();
        var first = NewReplica().DeliverNextAsync(0, _ =>
        {
            inDelivery.SetResult();
            return finish.Task;
        }, CancellationToken.None);
        await inDelivery.Task;

        var offeredMeanwhile = await RoundAsync(NewReplica(), _ => true);
        finish.SetResult(true);
        await first;

        Assert.Equal([Attempt(2)], offeredMeanwhile);
        Assert.Equal(0, NewReplica().Count());
    }

    [Fact]
    public async Task ReplicasDeliveringAtOnceSendEveryRowOnce()
    {
        const int Rows = 200;
        NewReplica().Add(Enumerable.Range(1, Rows).Select(Attempt).ToList(), Now);
        var sent = new ConcurrentBag<string>();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => RoundAsync(NewReplica(), attempt =>
        {
            sent.Add(attempt.HardwareId);
            return true;
        }))));

        Assert.Equal(Rows, sent.Count);
        Assert.Equal(Rows, sent.Distinct().Count());
        Assert.Equal(0, NewReplica().Count());
    }

    public void Dispose() => _replicas.Dispose();
}
