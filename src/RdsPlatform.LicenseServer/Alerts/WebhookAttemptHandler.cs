using System.Runtime.CompilerServices;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>What <see cref="WebhookAttemptHandler"/> signs each attempt with.</summary>
public sealed record WebhookSigning(string Secret, string Body);

/// <summary>
/// Runs once per HTTP attempt (it sits inside the retry handler): counts the attempt and signs it afresh, so each retry
/// carries the time it was sent and passes a receiver's replay window however long the backoff waited.
/// </summary>
public sealed class WebhookAttemptHandler : DelegatingHandler
{
    public static readonly HttpRequestOptionsKey<StrongBox<int>> AttemptsKey = new("rds.webhook.attempts");

    public static readonly HttpRequestOptionsKey<WebhookSigning> SigningKey = new("rds.webhook.signing");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(AttemptsKey, out var attempts))
        {
            Interlocked.Increment(ref attempts.Value);
        }

        if (request.Options.TryGetValue(SigningKey, out var signing))
        {
            // Wall-clock time, not the licensing clock: receivers compare it with their own clock to refuse replays.
            request.Headers.Remove(WebhookSignature.Header);
            request.Headers.Add(WebhookSignature.Header,
                WebhookSignature.Create(signing.Secret, TimeProvider.System.GetUtcNow().ToUnixTimeSeconds(), signing.Body));
        }

        return base.SendAsync(request, cancellationToken);
    }
}
