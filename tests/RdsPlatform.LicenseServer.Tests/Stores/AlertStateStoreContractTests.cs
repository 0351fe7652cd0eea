using RdsPlatform.LicenseServer.Alerts;

namespace RdsPlatform.LicenseServer.Tests.Stores;

/// <summary>
/// What the alert state promises on every engine: what was alerted survives a restart (so it is not alerted again),
/// a later state replaces the earlier one, and a prefix selects its keys literally.
/// </summary>
public abstract class AlertStateStoreContractTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A store over the test's one database, as a restarted license server (or another replica) opens it.</summary>
    protected abstract AlertDatabase NewReplica();

    [Fact]
    public void PersistedAlertStateSurvivesARestart()
    {
        new AlertStateStore(NewReplica()).Save(new Dictionary<string, string> { ["pool:2022:PerDevice"] = "None", ["pool:2019:PerUser"] = "Limited" }, Now);
        new AlertStateStore(NewReplica()).Save("gateway:3f2a", "raised", Now);

        var restarted = new AlertStateStore(NewReplica());

        Assert.Equal(new Dictionary<string, string> { ["pool:2022:PerDevice"] = "None", ["pool:2019:PerUser"] = "Limited" }, restarted.Load("pool:"));
        Assert.True(restarted.Exists("gateway:3f2a"));
        Assert.False(restarted.Exists("gateway:ffff"));
    }

    [Fact]
    public void ALaterStateReplacesTheEarlierOne()
    {
        var store = new AlertStateStore(NewReplica());
        store.Save("pool:2022:PerDevice", "None", Now);
        store.Save("pool:2022:PerDevice", "Available", Now.AddHours(1));

        Assert.Equal("Available", Assert.Single(new AlertStateStore(NewReplica()).Load("pool:")).Value);
    }

    [Fact]
    public void APrefixSelectsItsKeysLiterally()
    {
        var store = new AlertStateStore(NewReplica());
        store.Save(new Dictionary<string, string> { ["p_%:a"] = "1", ["pxx:b"] = "2", ["P_%:c"] = "3" }, Now);

        Assert.Equal(["p_%:a"], new AlertStateStore(NewReplica()).Load("p_%:").Keys);
    }
}

public sealed class SqliteAlertStateStoreContractTests : AlertStateStoreContractTests
{
    private readonly SqliteAlertDatabases _databases = new();

    protected override AlertDatabase NewReplica() => _databases.New();
}

public sealed class PostgresAlertStateStoreContractTests(PostgresDatabaseFixture fixture)
    : AlertStateStoreContractTests, IClassFixture<PostgresDatabaseFixture>, IDisposable
{
    private readonly PostgresAlertDatabases _databases = new(fixture, "alertstate");

    protected override AlertDatabase NewReplica() => _databases.New();

    public void Dispose() => _databases.Dispose();
}
