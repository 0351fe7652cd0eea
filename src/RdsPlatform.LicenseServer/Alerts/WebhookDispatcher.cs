using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>
/// Sends queued deliveries in the background, so that raising an alert never waits on a receiver: the queue is bounded
/// (a full queue records the delivery as failed), a few deliveries run at once, and each is retried with exponential
/// backoff by the <see cref="HttpClientName"/> client's Polly pipeline. Every outcome is recorded in the delivery.
/// </summary>
public sealed partial class WebhookDispatcher : BackgroundService
{
    public const string HttpClientName = "webhooks";

    /// <summary>How long a stopping license server lets deliveries in flight finish (the host allows 3 s to stop in all).</summary>
    public static readonly TimeSpan StopDrain = TimeSpan.FromSeconds(1);

    private readonly Channel<WebhookDeliveryRecord> _queue;
    private readonly SemaphoreSlim _slots;
    private readonly WebhookStore _store;
    private readonly IHttpClientFactory _http;
    private readonly LicenseServerIdentity _identity;
    private readonly WebhookSecretProtector _secrets;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly TimeSpan _pendingSweepInterval;

    public WebhookDispatcher(WebhookStore store, IHttpClientFactory http, LicenseServerIdentity identity, WebhookSecretProtector secrets,
        IOptions<WebhookOptions> options, ILogger<WebhookDispatcher> logger)
    {
        _secrets = secrets;
        _store = store;
        _http = http;
        _identity = identity;
        _logger = logger;
        _queue = Channel.CreateBounded<WebhookDeliveryRecord>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _slots = new SemaphoreSlim(options.Value.MaxConcurrentDeliveries);
        _pendingSweepInterval = options.Value.PendingSweepInterval;
    }

    /// <summary>Queues a recorded delivery without waiting; a full queue fails it at once.</summary>
    public void Enqueue(WebhookDeliveryRecord delivery)
    {
        if (!_queue.Writer.TryWrite(delivery))
        {
            LogQueueFull(delivery.DeliveryId);
            _store.UpdateDelivery(delivery with
            {
                Status = DeliveryState.Failed,
                LastError = "The delivery queue was full (Webhooks:QueueCapacity); the alert is still in the audit trail.",
                CompletedAt = TimeProvider.System.GetUtcNow(),
            });
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _identity.GetAsync(stoppingToken);
        // Read once, queued once: a delivery is never queued twice by a retried read.
        foreach (var pending in await ReadPendingAtStartAsync(stoppingToken))
        {
            Enqueue(pending);
        }

        var running = new List<Task>();
        // Replicas pick up what a dead replica left pending; the claim keeps a delivery another replica is sending from going out twice.
        var sweep = _store.SharedByReplicas ? SweepPendingAsync(stoppingToken) : Task.CompletedTask;
        // A stopping service takes no new delivery, but lets those in flight finish for up to StopDrain (within the host's
        // shutdown bound), so a receiver that answered is recorded instead of being sent the same delivery again later.
        using var sending = new CancellationTokenSource();
        using var drain = stoppingToken.Register(() => sending.CancelAfter(StopDrain));
        try
        {
            await foreach (var delivery in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await _slots.WaitAsync(stoppingToken);
                running.RemoveAll(t => t.IsCompleted);
                running.Add(Task.Run(async () =>
                {
                    try
                    {
                        await DeliverAsync(delivery, sending.Token);
                    }
                    catch (System.Data.Common.DbException ex)
                    {
                        // The outcome could not be recorded; the delivery stays pending and goes out again at the next start.
                        LogNotRecorded(ex, delivery.DeliveryId);
                    }
                    catch (Exception ex) when (ex.FailsOnlyTheRound(sending.Token))
                    {
                        // Whatever else failed stays this delivery's: it is still pending, and the dispatcher goes on with the others.
                        LogDeliveryBroke(ex, delivery.DeliveryId);
                    }
                    finally
                    {
                        _slots.Release();
                    }
                }, CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: deliveries still in flight after StopDrain end as cancelled and stay pending (sent again later).
        }

        await Task.WhenAll(running);
        await sweep;
    }

    /// <summary>
    /// At start: encrypts secrets an earlier release stored in clear and reads the deliveries a previous run accepted but
    /// did not finish. A database that does not answer is tried again every sweep interval instead of ending the service
    /// (and, by the host's default, the license server); the host stopping ends the wait.
    /// </summary>
    private async Task<IReadOnlyList<WebhookDeliveryRecord>> ReadPendingAtStartAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                if (_store.ProtectClearSecrets(_secrets) is > 0 and var encrypted)
                {
                    LogSecretsEncrypted(encrypted, _secrets.KeyDirectory);
                }

                return _store.Pending(1000);
            }
            catch (Exception ex) when (ex.FailsOnlyTheRound(stoppingToken))
            {
                LogResumeFailed(ex, _pendingSweepInterval);
            }

            await Task.Delay(_pendingSweepInterval, stoppingToken);
        }
    }

    private async Task SweepPendingAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_pendingSweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    // A full queue is busy already: what does not fit now is found again at the next sweep.
                    foreach (var pending in _store.Pending(100))
                    {
                        _queue.Writer.TryWrite(pending);
                    }
                }
                catch (Exception ex) when (ex.FailsOnlyTheRound(stoppingToken))
                {
                    // A database that is away (or a read that timed out) fails this sweep only; the next one retries.
                    LogSweepFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task DeliverAsync(WebhookDeliveryRecord delivery, CancellationToken sendingToken)
    {
        using var claim = _store.Claim(delivery.DeliveryId);
        if (claim is null)
        {
            LogClaimedElsewhere(delivery.DeliveryId);
            return;
        }

        await SendClaimedAsync(delivery, claim, sendingToken);
    }

    /// <summary>Sends a delivery this replica holds the claim on, and records its outcome through the claim.</summary>
    private async Task SendClaimedAsync(WebhookDeliveryRecord delivery, DeliveryClaim claim, CancellationToken sendingToken)
    {
        var subscription = _store.Subscriptions().FirstOrDefault(s => s.SubscriptionId == delivery.SubscriptionId);
        if (subscription is null)
        {
            claim.Complete(delivery with
            {
                Status = DeliveryState.Failed,
                LastError = "The subscription was deleted before the delivery was sent.",
                CompletedAt = TimeProvider.System.GetUtcNow(),
            });
            return;
        }

        if (SecretOf(subscription, delivery, claim) is not { } secret)
        {
            return;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Rds-Delivery-Id", delivery.DeliveryId.ToString());
        request.Headers.Add("Rds-Event-Type", AlertNames.EventName(delivery.EventType));
        var attempts = new StrongBox<int>();
        request.Options.Set(WebhookAttemptHandler.AttemptsKey, attempts);
        request.Options.Set(WebhookAttemptHandler.SigningKey, new WebhookSigning(secret, delivery.Body));

        WebhookDeliveryRecord outcome;
        try
        {
            using var response = await _http.CreateClient(HttpClientName).SendAsync(request, sendingToken);
            outcome = delivery with
            {
                Status = response.IsSuccessStatusCode ? DeliveryState.Succeeded : DeliveryState.Failed,
                LastHttpStatus = (int)response.StatusCode,
                LastError = response.IsSuccessStatusCode ? "" : $"The receiver answered HTTP {(int)response.StatusCode} to every attempt.",
            };
        }
        catch (OperationCanceledException) when (sendingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or OperationCanceledException)
        {
            outcome = delivery with { Status = DeliveryState.Failed, LastError = $"The receiver did not answer: {ex.Message}" };
        }

        outcome = outcome with { Attempts = attempts.Value, CompletedAt = TimeProvider.System.GetUtcNow() };
        claim.Complete(outcome);
        if (outcome.Status == DeliveryState.Succeeded)
        {
            LogDelivered(delivery.DeliveryId, subscription.Url, outcome.Attempts);
        }
        else
        {
            LogFailed(delivery.DeliveryId, subscription.Url, outcome.Attempts, outcome.LastError);
        }
    }

    /// <summary>The subscription's secret in clear; null, with the delivery recorded as failed, when it cannot be decrypted.</summary>
    private string? SecretOf(WebhookSubscriptionRecord subscription, WebhookDeliveryRecord delivery, DeliveryClaim claim)
    {
        try
        {
            return _secrets.Unprotect(subscription.StoredSecret);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            claim.Complete(delivery with
            {
                Status = DeliveryState.Failed,
                LastError = $"The subscription's secret cannot be decrypted: the key ring in {_secrets.KeyDirectory} is not the one that encrypted it. Restore that folder, or delete and re-create the subscription.",
                CompletedAt = TimeProvider.System.GetUtcNow(),
            });
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for pending deliveries failed; the next sweep retries")]
    private partial void LogSweepFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the pending webhook deliveries at start; trying again in {Interval}")]
    private partial void LogResumeFailed(Exception exception, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery {DeliveryId} failed unexpectedly; it stays pending")]
    private partial void LogDeliveryBroke(Exception exception, Guid deliveryId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivery {DeliveryId} is being sent by another replica or was sent already; skipped")]
    private partial void LogClaimedElsewhere(Guid deliveryId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivered {DeliveryId} to {Url} after {Attempts} attempt(s)")]
    private partial void LogDelivered(Guid deliveryId, string url, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} to {Url} failed after {Attempts} attempt(s): {Error}")]
    private partial void LogFailed(Guid deliveryId, string url, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The outcome of delivery {DeliveryId} could not be recorded")]
    private partial void LogNotRecorded(Exception exception, Guid deliveryId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Encrypted {Count} webhook secret(s) stored in clear by an earlier release (key ring in {KeyDirectory})")]
    private partial void LogSecretsEncrypted(int count, string keyDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook queue full; delivery {DeliveryId} recorded as failed")]
    private partial void LogQueueFull(Guid deliveryId);
}
