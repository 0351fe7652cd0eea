using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>A condition alerted before a license-server restart is not alerted again after it (the alert state is kept).</summary>
public sealed class AlertRestartTests : IAsyncLifetime
{
    private const string Secret = "whsec-restart-0123456789";
    private readonly WebhookReceiver _receiver = new();
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => _receiver.StartAsync();

    [Fact]
    public async Task APoolAlertedAsEmptyBeforeARestartIsNotAlertedAgainAfterIt()
    {
        var subscription = await SubscribeAndRunOutTheFirstPoolAsync();
        var before = await _receiver.WaitForAsync(1);
        // A delivery whose outcome was not recorded before a restart is sent again after it (at least once): wait for the record.
        await DeliveredAsync(subscription);

        await _host.RestartAsync();
        // Another pool runs out after the restart: once its alert arrives, the 2022 pool (still empty) was re-read too.
        await RunOutASecondPoolAsync();
        var after = await _receiver.WaitForAsync(2);

        Assert.Contains("2022", before.Body, StringComparison.Ordinal);
        Assert.True(after.Body.Contains("2019", StringComparison.Ordinal), after.Body);
        // Alerts are audited one after the other, the start-up re-read first: the 2019 alert's audit event comes after it.
        var audits = await _host.Client.GetAuditTrail(new GetAuditTrailRequest { Types_ = { AuditEventType.AlertRaised } }).ToListAsync();
        Assert.Single(audits, e => e.ProductVersion == ProductVersion._2022);
    }

    [Fact]
    public async Task ADeliveryInFlightWhenTheServerStopsIsRecordedAndNotSentAgainAfterTheRestart()
    {
        // The receiver takes the first delivery and answers 400 ms later: the license server is stopped in between.
        _receiver.DelayBeforeAnswer = n => n == 1 ? TimeSpan.FromMilliseconds(400) : null;
        var subscription = await SubscribeAndRunOutTheFirstPoolAsync();
        await _receiver.WaitForAsync(1);

        await _host.RestartAsync();
        // A second alert after the restart; the first delivery, had it been left pending, would go out again before it.
        await RunOutASecondPoolAsync();
        await _receiver.WaitForAsync(2);
        await DeliveredAsync(subscription);

        var deliveries = (await _host.Client.ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { SubscriptionId = subscription })).Deliveries;
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(DeliveryStatus.Succeeded, d.Status));
        Assert.Equal(2, _receiver.Received.Count);
        Assert.Single(_receiver.Received, r => r.Body.Contains("2022", StringComparison.Ordinal));
    }

    /// <summary>Subscribes to PoolNone, then empties a one-CAL 2022 pool: one alert, one delivery. Returns the subscription's id.</summary>
    private async Task<string> SubscribeAndRunOutTheFirstPoolAsync()
    {
        var subscription = await _host.Client.CreateWebhookSubscriptionAsync(Requests.Webhook(_receiver.Url, Secret, AlertType.PoolNone));
        await _host.Client.ActivateAsync();
        await _host.Client.RunOutAOneCalPoolAsync("hw-2022");
        return subscription.Subscription.SubscriptionId;
    }

    /// <summary>Empties a one-CAL 2019 pool: the next alert.</summary>
    private Task RunOutASecondPoolAsync() => _host.Client.RunOutAOneCalPoolAsync("hw-2019", ProductVersion._2019);

    private async Task DeliveredAsync(string subscription)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while ((await _host.Client.ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { SubscriptionId = subscription })).Deliveries
               .Any(d => d.Status == DeliveryStatus.Pending))
        {
            Assert.True(DateTime.UtcNow < until, "The delivery outcome was not recorded within 30 s.");
            await Task.Delay(25);
        }
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }
}
