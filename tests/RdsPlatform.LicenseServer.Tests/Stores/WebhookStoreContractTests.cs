using Microsoft.Extensions.Options;
using RdsPlatform.LicenseServer.Alerts;
using RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Tests.Stores;

/// <summary>
/// What the webhook store promises on every engine: subscriptions survive a restart in creation order; a delivery's
/// retries and outcome survive a restart, one left pending is found again; a subscription's deliveries are newest first.
/// </summary>
public abstract class WebhookStoreContractTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A store over the test's one database, as a restarted license server (or another replica) opens it.</summary>
    protected abstract AlertDatabase NewReplica();

    private static WebhookSubscriptionRecord Subscription(string url, int minutes, params AlertKind[] kinds) =>
        new(Guid.NewGuid(), url, kinds, "dp1:stored", Now.AddMinutes(minutes));

    private static WebhookDeliveryRecord Delivery(Guid subscription, int minutes) =>
        new(Guid.NewGuid(), subscription, AlertKind.PoolNone, $$"""{"at":{{minutes}}}""", DeliveryState.Pending, 0, 0, "", Now.AddMinutes(minutes), null);

    [Fact]
    public void SubscriptionsSurviveARestartInCreationOrderUntilDeleted()
    {
        var later = Subscription("https://b.example/hook", 2, AlertKind.PoolLimited);
        var earlier = Subscription("https://a.example/hook", 1, AlertKind.PoolNone, AlertKind.GracePeriodLow);
        var store = new WebhookStore(NewReplica());
        store.AddSubscription(later);
        store.AddSubscription(earlier);

        var restarted = new WebhookStore(NewReplica());
        var found = restarted.Subscriptions();

        Assert.Equal([earlier.SubscriptionId, later.SubscriptionId], found.Select(s => s.SubscriptionId));
        Assert.Equal(earlier.EventTypes, found[0].EventTypes);
        Assert.Equal((earlier.Url, earlier.StoredSecret, earlier.CreatedAt), (found[0].Url, found[0].StoredSecret, found[0].CreatedAt));
        Assert.True(restarted.DeleteSubscription(earlier.SubscriptionId));
        Assert.False(restarted.DeleteSubscription(earlier.SubscriptionId));
        Assert.Equal([later.SubscriptionId], new WebhookStore(NewReplica()).Subscriptions().Select(s => s.SubscriptionId));
    }

    [Fact]
    public void DeliveryRetriesAndTheirOutcomeSurviveARestart()
    {
        var subscription = Guid.NewGuid();
        var delivery = Delivery(subscription, 0);
        var store = new WebhookStore(NewReplica());
        store.AddDelivery(delivery);
        var retried = delivery with { Attempts = 3, LastHttpStatus = 503, LastError = "Service Unavailable" };
        store.UpdateDelivery(retried);

        var restarted = new WebhookStore(NewReplica());
        Assert.Equal([retried], restarted.Pending(10));
        var succeeded = retried with { Status = DeliveryState.Succeeded, Attempts = 4, LastHttpStatus = 200, LastError = "", CompletedAt = Now.AddMinutes(1) };
        restarted.UpdateDelivery(succeeded);

        var again = new WebhookStore(NewReplica());
        Assert.Empty(again.Pending(10));
        Assert.Equal([succeeded], again.Deliveries(subscription, 10));
    }

    [Fact]
    public void ASubscriptionsDeliveriesAreNewestFirstWithinTheLimitAndPendingOnesOldestFirst()
    {
        var subscription = Guid.NewGuid();
        var store = new WebhookStore(NewReplica());
        var deliveries = Enumerable.Range(0, 4).Select(i => Delivery(subscription, i)).ToList();
        deliveries.ForEach(store.AddDelivery);
        store.AddDelivery(Delivery(Guid.NewGuid(), 9));

        var restarted = new WebhookStore(NewReplica());

        Assert.Equal([deliveries[3], deliveries[2], deliveries[1]], restarted.Deliveries(subscription, 3));
        Assert.Equal([deliveries[0], deliveries[1]], restarted.Pending(2));
    }

    [Fact]
    public void SecretsStoredInClearAreEncryptedOnce()
    {
        var keys = Directory.CreateTempSubdirectory("rds-webhook-keys-").FullName;
        var protector = new WebhookSecretProtector(Options.Create(new WebhookOptions { KeyDirectory = keys }));
        var store = new WebhookStore(NewReplica());
        store.AddSubscription(Subscription("https://a.example/hook", 1, AlertKind.PoolNone) with { StoredSecret = "whsec-clear" });

        Assert.Equal(1, store.ProtectClearSecrets(protector));
        Assert.Equal(0, new WebhookStore(NewReplica()).ProtectClearSecrets(protector));
        var stored = Assert.Single(new WebhookStore(NewReplica()).Subscriptions()).StoredSecret;
        Assert.True(WebhookSecretProtector.IsProtected(stored));
        Assert.Equal("whsec-clear", protector.Unprotect(stored));
    }
}

public sealed class SqliteWebhookStoreContractTests : WebhookStoreContractTests
{
    private readonly SqliteAlertDatabases _databases = new();

    protected override AlertDatabase NewReplica() => _databases.New();
}

public sealed class PostgresWebhookStoreContractTests(PostgresDatabaseFixture fixture)
    : WebhookStoreContractTests, IClassFixture<PostgresDatabaseFixture>, IDisposable
{
    private readonly PostgresAlertDatabases _databases = new(fixture, "webhooks");

    protected override AlertDatabase NewReplica() => _databases.New();

    public void Dispose() => _databases.Dispose();
}
