namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>How alerts are delivered to webhook subscribers (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>Deliveries waiting for a sender; beyond it a delivery is recorded as failed instead of slowing anything down.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Deliveries in flight at once (a slow receiver holds one slot, not the queue).</summary>
    public int MaxConcurrentDeliveries { get; set; } = 8;

    /// <summary>HTTP attempts per delivery, the first included (at least 2).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Delay before the first retry; each later retry waits about twice as long (with jitter).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// With replicas on one database: how often each replica looks for deliveries left pending (a replica that queued them
    /// died) and sends those no other replica is sending. On either engine, also how long the dispatcher waits before
    /// reading the deliveries a previous run left pending again, when the database did not answer at start.
    /// </summary>
    public TimeSpan PendingSweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Allows webhook URLs on link-local addresses (169.254.0.0/16, fe80::/10), where cloud metadata services answer; off by
    /// default so that an admin key cannot turn deliveries into requests for instance credentials.
    /// </summary>
    public bool AllowLinkLocalUrls { get; set; }

    /// <summary>
    /// Folder of the key ring that encrypts webhook secrets (empty: <c>webhook-keys</c> in <c>Storage:DataDirectory</c>, on
    /// either engine; relative paths are under the content root). Replicas sharing one database must share this key ring
    /// too (one shared folder, or the same copy of it on each); losing it makes stored secrets unreadable.
    /// </summary>
    public string? KeyDirectory { get; set; }

    /// <summary>The key folder as an absolute path: the configured one, else <c>webhook-keys</c> in the data folder.</summary>
    public static string ResolveKeyDirectory(string? configured, string? dataDirectory, string contentRoot) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(string.IsNullOrWhiteSpace(dataDirectory) ? "data" : dataDirectory, "webhook-keys")
            : configured, contentRoot);
}
