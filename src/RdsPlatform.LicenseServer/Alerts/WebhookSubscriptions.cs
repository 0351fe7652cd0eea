using Microsoft.Extensions.Options;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>Webhook subscriptions as the admin RPCs manage them; requests arrive already checked by the gRPC service.</summary>
public sealed class WebhookSubscriptions(
    WebhookStore store, WebhookSecretProtector secrets, LicenseServerIdentity identity, IOptions<WebhookOptions> options, TimeProvider time)
{
    /// <summary>Whether subscriptions may name link-local addresses (<see cref="WebhookUrlRules"/>).</summary>
    public bool AllowLinkLocalUrls => options.Value.AllowLinkLocalUrls;

    public async Task<WebhookSubscriptionRecord> CreateAsync(Uri url, IReadOnlyList<AlertKind> eventTypes, string secret, CancellationToken cancellationToken)
    {
        await identity.GetAsync(cancellationToken);
        var subscription = new WebhookSubscriptionRecord(Guid.CreateVersion7(), url.AbsoluteUri, eventTypes.Distinct().ToList(), secrets.Protect(secret), time.GetUtcNow());
        store.AddSubscription(subscription);
        return subscription;
    }

    public async Task<IReadOnlyList<WebhookSubscriptionRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await identity.GetAsync(cancellationToken);
        return store.Subscriptions();
    }

    public async Task<Outcome<bool>> DeleteAsync(Guid subscriptionId, CancellationToken cancellationToken)
    {
        await identity.GetAsync(cancellationToken);
        return store.DeleteSubscription(subscriptionId) ? true : NotFound(subscriptionId);
    }

    public async Task<Outcome<IReadOnlyList<WebhookDeliveryRecord>>> DeliveriesAsync(Guid subscriptionId, int limit, CancellationToken cancellationToken)
    {
        await identity.GetAsync(cancellationToken);
        return store.Subscriptions().Any(s => s.SubscriptionId == subscriptionId)
            ? new Outcome<IReadOnlyList<WebhookDeliveryRecord>>(store.Deliveries(subscriptionId, limit), null)
            : NotFound(subscriptionId);
    }

    private static Problem NotFound(Guid subscriptionId) =>
        new(ProblemKind.NotFound, $"No webhook subscription {subscriptionId} exists; ListWebhookSubscriptions shows the ids.");
}
