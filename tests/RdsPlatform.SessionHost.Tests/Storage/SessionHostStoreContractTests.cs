using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Storage;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.Storage;

/// <summary>
/// What the gateway's host store promises on every engine: settings and grace starts survive a restart, reconfiguring
/// never moves the grace start, host ids match without regard to case, paging order, and replicas registering the same
/// host at once agree on one grace start. Each engine runs the same tests (subclasses below).
/// </summary>
public abstract class SessionHostStoreContractTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly List<IDisposable> _owned = [];

    /// <summary>A repository over the test's one database; each call is a separate process's view (a replica, a restart).</summary>
    protected abstract ISessionHostRepository NewReplica();

    protected T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    [Fact]
    public void SettingsAndGraceStartSurviveARestartAndReconfiguringKeepsTheGraceStart()
    {
        var time = new FakeTimeProvider(Start);
        var store = new SessionHostStore(NewReplica(), time);
        store.Save(new("rdsh-01", ProductVersion.WindowsServer2022, LicensingMode.PerDevice, ["ls-a", "ls-b"], PreventUpgrade: false));
        time.Advance(TimeSpan.FromDays(10));
        var saved = store.Save(new("rdsh-01", ProductVersion.WindowsServer2025, LicensingMode.PerUser, [], PreventUpgrade: true));

        var restarted = new SessionHostStore(NewReplica(), time).Find("rdsh-01");

        Assert.NotNull(restarted);
        Assert.Equal(saved, restarted with { LicenseServers = saved.LicenseServers });
        Assert.Empty(restarted.LicenseServers);
        Assert.Equal(Start, restarted.GraceStartedAt);
        Assert.Equal(Start.AddDays(10), restarted.ConfiguredAt);
        Assert.Equal((ProductVersion.WindowsServer2025, LicensingMode.PerUser, true), (restarted.Version, restarted.Mode, restarted.PreventUpgrade));
    }

    [Fact]
    public void LicenseServersKeepTheirOrder()
    {
        var store = new SessionHostStore(NewReplica(), new FakeTimeProvider(Start));
        store.Save(new("rdsh-02", ProductVersion.WindowsServer2019, LicensingMode.PerDevice, ["ls-c", "http://10.0.0.5:5101", "ls-a"], false));

        var found = new SessionHostStore(NewReplica(), TimeProvider.System).Find("rdsh-02");

        Assert.Equal(["ls-c", "http://10.0.0.5:5101", "ls-a"], found!.LicenseServers);
    }

    [Fact]
    public void HostIdsMatchWithoutRegardToCaseAndKeepTheFirstSpelling()
    {
        var time = new FakeTimeProvider(Start);
        var store = new SessionHostStore(NewReplica(), time);
        store.Save(new("RDSH-Case", ProductVersion.WindowsServer2022, LicensingMode.PerDevice, [], false));
        time.Advance(TimeSpan.FromHours(1));
        var again = new SessionHostStore(NewReplica(), time).Save(new("rdsh-case", ProductVersion.WindowsServer2022, LicensingMode.PerUser, [], false));

        var found = new SessionHostStore(NewReplica(), time).Find("rdsh-CASE");

        Assert.Equal("RDSH-Case", again.HostId);
        Assert.Equal(Start, again.GraceStartedAt);
        Assert.Equal(LicensingMode.PerUser, found!.Mode);
        Assert.Equal(1, NewReplica().Page(null, 10).Total);
    }

    [Fact]
    public void PagesFollowCaseInsensitiveHostIdOrderAndCountEveryHost()
    {
        var store = new SessionHostStore(NewReplica(), new FakeTimeProvider(Start));
        foreach (var id in new[] { "a_1", "B", "a1", "A.1", "a-1", "c" })
        {
            store.Save(new(id, ProductVersion.WindowsServer2022, LicensingMode.PerDevice, [], false));
        }

        var repository = NewReplica();
        var first = repository.Page(null, 4);
        var second = repository.Page(first.Hosts[^1].HostId, 4);

        Assert.Equal(["a-1", "A.1", "a1", "a_1"], first.Hosts.Select(h => h.HostId));
        Assert.Equal(["B", "c"], second.Hosts.Select(h => h.HostId));
        Assert.Equal(6, first.Total);
        Assert.Empty(repository.Page("C", 4).Hosts);
    }

    [Fact]
    public void AHostAnotherReplicaRegisteredIsFound()
    {
        var replicaA = new SessionHostStore(NewReplica(), new FakeTimeProvider(Start));
        var replicaB = new SessionHostStore(NewReplica(), new FakeTimeProvider(Start));

        replicaA.Save(new("rdsh-elsewhere", ProductVersion.WindowsServer2016, LicensingMode.PerDevice, [], false));

        Assert.Equal(ProductVersion.WindowsServer2016, replicaB.Find("rdsh-elsewhere")?.Version);
        Assert.Null(replicaB.Find("rdsh-nowhere"));
    }

    [Fact]
    public async Task TwoReplicasRegisteringTheSameHostsAtOnceAgreeOnOneGraceStart()
    {
        // Different clocks, so a grace start shows which replica's insert won.
        var replicaA = new SessionHostStore(NewReplica(), new FakeTimeProvider(Start));
        var replicaB = new SessionHostStore(NewReplica(), new FakeTimeProvider(Start.AddMinutes(5)));
        var hostIds = Enumerable.Range(0, 40).Select(i => $"race-{i:D2}").ToArray();

        var fromA = Task.Run(() => hostIds.Select(id => replicaA.Save(new(id, ProductVersion.WindowsServer2022, LicensingMode.PerDevice, [], false))).ToList());
        var fromB = Task.Run(() => hostIds.Select(id => replicaB.Save(new(id, ProductVersion.WindowsServer2022, LicensingMode.PerDevice, [], false))).ToList());
        var results = await Task.WhenAll(fromA, fromB);

        var stored = new SessionHostStore(NewReplica(), TimeProvider.System);
        for (var i = 0; i < hostIds.Length; i++)
        {
            var graceStart = stored.Find(hostIds[i])!.GraceStartedAt;
            Assert.Contains(graceStart, new[] { Start, Start.AddMinutes(5) });
            Assert.Equal(graceStart, results[0][i].GraceStartedAt);
            Assert.Equal(graceStart, results[1][i].GraceStartedAt);
        }

        Assert.Equal(hostIds.Length, stored.Page(null, 100).Total);
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteSessionHostStoreContractTests : SessionHostStoreContractTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rds-hosts-").FullName;

    protected override ISessionHostRepository NewReplica() => new SqliteSessionHostRepository(new GatewayDatabase(_directory));
}

public sealed class PostgresSessionHostStoreContractTests(PostgresDatabaseFixture database)
    : SessionHostStoreContractTests, IClassFixture<PostgresDatabaseFixture>
{
    private readonly string _connectionString = database.CreateDatabaseAsync("hosts").GetAwaiter().GetResult();

    protected override ISessionHostRepository NewReplica() => new PostgresSessionHostRepository(new PostgresDatabase(
        Own(NpgsqlDataSource.Create(_connectionString)), GatewaySchema.PostgresSchema, NullLogger<PostgresDatabase>.Instance));
}
