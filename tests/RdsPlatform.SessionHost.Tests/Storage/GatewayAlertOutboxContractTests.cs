using RdsPlatform.SessionHost.Alerts;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.Storage;

/// <summary>
/// What the gateway's alert outbox promises on every engine: one alert per host (any case of its id) and grace period,
/// however many replicas raise it at once; an alert stays undelivered across restarts until a license server recorded it.
/// </summary>
public abstract class GatewayAlertOutboxContractTests
{
    private static readonly DateTimeOffset GraceStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>An outbox over the test's one database, as a separate process (a replica, a restart) opens it.</summary>
    protected abstract IGatewayAlertOutbox NewReplica();

    private static GatewayAlertRow Alert(string hostId, DateTimeOffset graceStart, int minutesAfter = 0) =>
        new(Guid.NewGuid(), hostId, graceStart, 5, graceStart.AddDays(120), graceStart.AddDays(115).AddMinutes(minutesAfter), null);

    [Fact]
    public void AnAlertIsRaisedOncePerHostAndGracePeriodWhateverTheCaseOfTheHostId()
    {
        var outbox = NewReplica();
        Assert.True(outbox.TryAdd(Alert("rdsh-01", GraceStart)));

        var replica = NewReplica();

        Assert.False(replica.TryAdd(Alert("RDSH-01", GraceStart)));
        Assert.True(replica.WasRaised("Rdsh-01", GraceStart));
        Assert.False(replica.WasRaised("rdsh-01", GraceStart.AddDays(1)));
        Assert.True(replica.TryAdd(Alert("rdsh-01", GraceStart.AddDays(1), minutesAfter: 1)));
        Assert.Equal([GraceStart, GraceStart.AddDays(1)], replica.ForHost("RDSH-01").Select(a => a.GraceStartedAt));
    }

    [Fact]
    public void UndeliveredAlertsSurviveARestartUntilALicenseServerRecordedThem()
    {
        var first = Alert("rdsh-01", GraceStart);
        var second = Alert("rdsh-02", GraceStart, minutesAfter: 1);
        var outbox = NewReplica();
        outbox.TryAdd(second);
        outbox.TryAdd(first);

        var restarted = NewReplica();
        Assert.Equal([first, second], restarted.Undelivered());
        restarted.MarkDelivered(first.AlertId, GraceStart.AddDays(116));

        var again = NewReplica();
        Assert.Equal([second], again.Undelivered());
        Assert.Equal(GraceStart.AddDays(116), again.ForHost("rdsh-01").Single().DeliveredAt);
    }

    [Fact]
    public async Task ReplicasRaisingTheSameAlertAtOnceKeepOne()
    {
        var hosts = Enumerable.Range(0, 20).Select(i => $"rdsh-{i:00}").ToList();

        var raised = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            var replica = NewReplica();
            return hosts.Count(host => replica.TryAdd(Alert(host, GraceStart)));
        })));

        Assert.Equal(hosts.Count, raised.Sum());
        Assert.Equal(hosts.Count, NewReplica().Undelivered().Count);
    }
}

public sealed class SqliteGatewayAlertOutboxContractTests : GatewayAlertOutboxContractTests
{
    private readonly SqliteGatewayReplicas _replicas = new();

    protected override IGatewayAlertOutbox NewReplica() => new SqliteGatewayAlertOutbox(_replicas.New());
}

public sealed class PostgresGatewayAlertOutboxContractTests(PostgresDatabaseFixture fixture)
    : GatewayAlertOutboxContractTests, IClassFixture<PostgresDatabaseFixture>, IDisposable
{
    private readonly PostgresGatewayReplicas _replicas = new(fixture, "alerts");

    protected override IGatewayAlertOutbox NewReplica() => new PostgresGatewayAlertOutbox(_replicas.New());

    public void Dispose() => _replicas.Dispose();
}
