using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.LicenseServer.Alerts;
using RdsPlatform.Testing;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>Alerts delivered to webhook subscribers: a receiver on loopback inside the test gets signed POSTs.</summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private const string Secret = "whsec-test-0123456789";
    private readonly WebhookReceiver _receiver = new();
    private LicenseServerHost _host = NewHost();

    private static LicenseServerHost NewHost(Action<ServiceSetup>? configure = null) => new(new Dictionary<string, string?>
    {
        ["Webhooks:RetryBaseDelay"] = "00:00:00.050",
        ["Webhooks:AttemptTimeout"] = "00:00:30",
        ["Webhooks:MaxAttempts"] = "3",
        ["Webhooks:PendingSweepInterval"] = "00:00:00.100",
    }, configure);

    public Task InitializeAsync() => _receiver.StartAsync();

    [Fact]
    public async Task APoolThatRunsOutIsDeliveredSignedWithHmacOverTimestampAndBody()
    {
        var subscription = await SubscribeAsync(AlertType.PoolNone);

        await RunOutOfPerDeviceCalsAsync();
        var delivery = await _receiver.WaitForAsync(1);

        var parts = delivery.Signature.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{delivery.Body}")));
        Assert.Equal(expected, parts["v1"]);
        Assert.InRange(long.Parse(parts["t"], System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        Assert.Equal("pool.none", delivery.EventType);
        using var body = JsonDocument.Parse(delivery.Body);
        Assert.Equal("ALERT_TYPE_POOL_NONE", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("PRODUCT_VERSION_2022", body.RootElement.GetProperty("productVersion").GetString());
        Assert.Equal("CAL_TYPE_PER_DEVICE", body.RootElement.GetProperty("calType").GetString());

        var recorded = await WaitForOutcomeAsync(subscription);
        Assert.Equal(DeliveryStatus.Succeeded, recorded.Status);
        Assert.Equal(1, recorded.Attempts);
        Assert.Equal(200, recorded.LastHttpStatus);
        var audit = await _host.Client.GetAuditTrail(new GetAuditTrailRequest { Types_ = { AuditEventType.AlertRaised } }).ToListAsync();
        Assert.Contains(audit, e => e.Detail.Contains("has no CAL left", StringComparison.Ordinal) && e.ProductVersion == ProductVersion._2022);
    }

    [Fact]
    public async Task ADeliveryAnsweredWith500IsRetriedAndRecordedWithItsAttempts()
    {
        _receiver.Answer = n => n == 1 ? 500 : 200;
        var subscription = await SubscribeAsync(AlertType.PoolNone);

        await RunOutOfPerDeviceCalsAsync();
        var second = await _receiver.WaitForAsync(2);

        Assert.Equal(_receiver.Received.First().DeliveryId, second.DeliveryId);
        var recorded = await WaitForOutcomeAsync(subscription);
        Assert.Equal(DeliveryStatus.Succeeded, recorded.Status);
        Assert.Equal(2, recorded.Attempts);
    }

    [Fact]
    public async Task ARetryCarriesANewTimestampAndAValidSignatureForIt()
    {
        // The first attempt is answered 500 after 1.5 s: its retry is sent (and must be signed) at least a second later,
        // so a receiver with a replay window still accepts it however long the backoff waited.
        _receiver.DelayBeforeAnswer = n => n == 1 ? TimeSpan.FromSeconds(1.5) : null;
        _receiver.Answer = n => n == 1 ? 500 : 200;
        await SubscribeAsync(AlertType.PoolNone);

        await RunOutOfPerDeviceCalsAsync();
        var first = await _receiver.WaitForAsync(1);
        var retry = await _receiver.WaitForAsync(2);

        Assert.Equal(first.DeliveryId, retry.DeliveryId);
        Assert.True(retry.SignedAt > first.SignedAt, $"The retry was signed at {retry.SignedAt}, the first attempt at {first.SignedAt}.");
        Assert.True(first.IsSignedWith(Secret));
        Assert.True(retry.IsSignedWith(Secret));
    }

    [Fact]
    public async Task LicensingDecisionsCompleteWhileADeliveryToAnUnansweringReceiverIsPending()
    {
        _receiver.Answer = _ => null;
        var subscription = await SubscribeAsync(AlertType.PoolNone, AlertType.PoolOverused);
        await RunOutOfPerDeviceCalsAsync();
        await _receiver.WaitForAsync(1);

        // The delivery is in flight and unanswered; decisions go on, and so do the alerts they raise.
        var temporary = await _host.Client.RequestLicenseAsync(Requests.Device("hw-after-1"));
        var overUsed = await _host.Client.RequestLicenseAsync(Requests.User("bob"));

        Assert.Equal(ReasonCode.TemporaryCalIssued, temporary.Reason);
        Assert.Equal(ReasonCode.PerUserOverused, overUsed.Reason);
        var deliveries = (await _host.Client.ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { SubscriptionId = subscription })).Deliveries;
        Assert.Contains(deliveries, d => d.Alert.Type == AlertType.PoolNone && d.Status == DeliveryStatus.Pending);
    }

    [Fact]
    public async Task ReachingTheRevokeCapRaisesAnAlert()
    {
        var subscription = await SubscribeAsync(AlertType.RevokeCapReached);
        await _host.Client.ActivateAsync();
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 5));
        var permanent = await _host.Client.PermanentDeviceAsync("hw-revoke-1");

        var revoked = await _host.Client.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = permanent.License.LicenseId });
        var delivery = await _receiver.WaitForAsync(1);

        Assert.Equal(0, revoked.RevocableRemaining);
        Assert.Equal("revoke_cap.reached", delivery.EventType);
        Assert.Contains("revoke cap", delivery.Body, StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.Succeeded, (await WaitForOutcomeAsync(subscription)).Status);
    }

    [Theory]
    [InlineData("ftp://files.example/hook")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/relative/hook")]
    public async Task ASubscriptionToAUrlThatIsNotHttpIsRefusedAndNothingIsStored(string url)
    {
        var refused = await Requests.RefusedAsync(() => _host.Client.CreateWebhookSubscriptionAsync(new CreateWebhookSubscriptionRequest
        {
            Url = url,
            EventTypes = { AlertType.PoolNone },
            Secret = Secret,
        }));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(["url"], refused.ViolatedFields());
        Assert.Empty((await _host.Client.ListWebhookSubscriptionsAsync(new ListWebhookSubscriptionsRequest())).Subscriptions);
    }

    [Fact]
    public async Task ASubscriptionNeedsAnEventTypeAndALongEnoughSecret()
    {
        var refused = await Requests.RefusedAsync(() => _host.Client.CreateWebhookSubscriptionAsync(new CreateWebhookSubscriptionRequest
        {
            Url = _receiver.Url.ToString(),
            Secret = "short",
        }));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(["event_types", "secret"], refused.ViolatedFields());
    }

    [Fact]
    public async Task SubscriptionsAreListedWithoutTheirSecretAndDeleted()
    {
        var id = await SubscribeAsync(AlertType.PoolLimited);

        var listed = await _host.Client.ListWebhookSubscriptionsAsync(new ListWebhookSubscriptionsRequest());
        await _host.Client.DeleteWebhookSubscriptionAsync(new DeleteWebhookSubscriptionRequest { SubscriptionId = id });
        var again = await Requests.RefusedAsync(() => _host.Client.DeleteWebhookSubscriptionAsync(new DeleteWebhookSubscriptionRequest { SubscriptionId = id }));

        var subscription = Assert.Single(listed.Subscriptions);
        Assert.Equal(_receiver.Url.ToString(), subscription.Url);
        Assert.DoesNotContain(Secret, listed.ToString());
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task ADatabaseThatDoesNotAnswerWhenTheDispatcherStartsIsTriedAgainAndDeliveriesThenGoOut()
    {
        // The alert tables' connections time out from the start: the dispatcher cannot read what a previous run left
        // pending. It must try again (not end, which by the host's default would stop the license server) and deliver
        // once the database answers.
        var database = new AlertDatabaseThatTimesOut();
        await _host.DisposeAsync();
        _host = NewHost(setup => setup.TestServices.Add(services =>
        {
            var registered = services.Last(d => d.ServiceType == typeof(AlertDatabase));
            services.AddSingleton<AlertDatabase>(sp => database.Over((AlertDatabase)registered.ImplementationFactory!(sp)));
        }));
        await _host.Client.GetServerInfoAsync(new GetServerInfoRequest());
        await database.RefusedThrice.Task.WaitAsync(TimeSpan.FromSeconds(30));

        database.Answering = true;
        var subscription = await SubscribeAsync(AlertType.PoolNone);
        await RunOutOfPerDeviceCalsAsync();

        Assert.Equal("pool.none", (await _receiver.WaitForAsync(1)).EventType);
        Assert.Equal(DeliveryStatus.Succeeded, (await WaitForOutcomeAsync(subscription)).Status);
    }

    private async Task<string> SubscribeAsync(params AlertType[] types) =>
        (await _host.Client.CreateWebhookSubscriptionAsync(new CreateWebhookSubscriptionRequest
        {
            Url = _receiver.Url.ToString(),
            EventTypes = { types },
            Secret = Secret,
        })).Subscription.SubscriptionId;

    /// <summary>An activated server with one Per Device CAL of 2022, which a device then takes.</summary>
    private async Task RunOutOfPerDeviceCalsAsync()
    {
        await _host.Client.ActivateAsync();
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 1));
        await _host.Client.PermanentDeviceAsync("hw-last-seat");
    }

    private async Task<WebhookDelivery> WaitForOutcomeAsync(string subscription)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var deliveries = (await _host.Client.ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { SubscriptionId = subscription })).Deliveries;
            if (deliveries.Count > 0 && deliveries[^1].Status != DeliveryStatus.Pending)
            {
                return deliveries[^1];
            }

            Assert.True(DateTime.UtcNow < until, $"No delivery outcome within 60 s: {deliveries}");
            await Task.Delay(25);
        }
    }

    /// <summary>The alert tables' database, whose connections time out until <see cref="Answering"/>.</summary>
    private sealed class AlertDatabaseThatTimesOut
    {
        private AlertDatabase? _inner;
        private int _refused;

        public volatile bool Answering;

        public TaskCompletionSource RefusedThrice { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public AlertDatabase Over(AlertDatabase inner)
        {
            _inner = inner;
            return new Wrapper(this);
        }

        private sealed class Wrapper(AlertDatabaseThatTimesOut owner) : AlertDatabase
        {
            public override System.Data.Common.DbConnection Open()
            {
                if (!owner.Answering)
                {
                    if (Interlocked.Increment(ref owner._refused) >= 3)
                    {
                        owner.RefusedThrice.TrySetResult();
                    }

                    throw new TimeoutException("The database did not answer in time.");
                }

                return owner._inner!.Open();
            }
        }
    }
}
