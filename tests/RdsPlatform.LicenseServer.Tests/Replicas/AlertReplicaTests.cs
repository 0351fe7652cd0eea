using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.Testing;
using AuditType = RdsPlatform.Contracts.Licensing.V1.AuditEventType;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.LicenseServer.Tests.Replicas;

/// <summary>
/// What the alert tests across replicas share: replicas with a fast alert poll and pending sweep and one shared webhook
/// key ring, a receiver on loopback, and reads of the alerts the database and the receiver hold.
/// </summary>
public abstract class AlertReplicaTests(PostgresDatabaseFixture database, string prefix) : ReplicaTests(database, prefix, Settings), IAsyncLifetime
{
    protected const string Secret = "whsec-replicas-0123456789";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly string KeyDirectory = Path.Combine(Path.GetTempPath(), $"rds-alert-replicas-{Guid.NewGuid():N}");

    private static Dictionary<string, string?> Settings => new()
    {
        ["LicenseServer:AlertPollInterval"] = "00:00:00.2",
        ["LicenseServer:ReclaimSweepInterval"] = "00:00:00.2",
        ["Webhooks:PendingSweepInterval"] = "00:00:00.2",
        ["Webhooks:KeyDirectory"] = KeyDirectory,
        ["Webhooks:RetryBaseDelay"] = "00:00:00.050",
        ["Webhooks:AttemptTimeout"] = "00:00:30",
    };

    protected WebhookReceiver Receiver { get; } = new();

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        await Receiver.StartAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Receiver.DisposeAsync();
    }

    protected async Task SubscribeAsync(LicenseServerClient client, params AlertType[] types) =>
        await client.CreateWebhookSubscriptionAsync(Requests.Webhook(Receiver.Url, Secret, types));

    /// <summary>The details of the ALERT_RAISED events in the database that contain <paramref name="text"/>, once there are <paramref name="expected"/>.</summary>
    protected async Task<List<string>> AlertsAsync(string text, int expected)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var alerts = (await Replicas.QueryAsync<string>($"SELECT detail FROM audit_events WHERE type = {(int)AuditType.AlertRaised} ORDER BY sequence"))
                .Where(d => d.Contains(text, StringComparison.Ordinal)).ToList();
            if (alerts.Count >= expected || deadline.Elapsed > Patience)
            {
                return alerts;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Every POST the receiver got for <paramref name="eventType"/>, once it has <paramref name="expected"/> and a second
    /// more has passed (long enough for the 0.2 s polls and sweeps of every replica to send a duplicate if they would).
    /// </summary>
    protected async Task<List<ReceivedDelivery>> ReceivedAsync(string eventType, int expected)
    {
        var deadline = Stopwatch.StartNew();
        while (Receiver.Received.Count(d => d.EventType == eventType) < expected && deadline.Elapsed < Patience)
        {
            await Task.Delay(50);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        return Receiver.Received.Where(d => d.EventType == eventType).ToList();
    }

    /// <summary>The replica of <paramref name="replicas"/> holding the background-work lease.</summary>
    protected static async Task<ServiceHost<LicenseServerService>> HolderAsync(params ServiceHost<LicenseServerService>[] replicas)
    {
        foreach (var replica in replicas)
        {
            if (await replica.Services.GetRequiredService<ILeaderLease>().TryHoldAsync(CancellationToken.None))
            {
                return replica;
            }
        }

        throw new InvalidOperationException("No replica holds the background-work lease.");
    }
}
