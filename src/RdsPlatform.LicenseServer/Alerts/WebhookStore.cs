using Dapper;
using System.Data.Common;
using RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Alerts;

/// <param name="StoredSecret">The secret as stored: encrypted by <see cref="WebhookSecretProtector"/> (or in clear from an earlier release).</param>
public sealed record WebhookSubscriptionRecord(Guid SubscriptionId, string Url, IReadOnlyList<AlertKind> EventTypes, string StoredSecret, DateTimeOffset CreatedAt);

public enum DeliveryState
{
    Pending = 1,
    Succeeded = 2,
    Failed = 3,
}

/// <summary>One delivery of one alert to one subscription; <see cref="Body"/> is the exact JSON that is signed and sent.</summary>
public sealed record WebhookDeliveryRecord(
    Guid DeliveryId, Guid SubscriptionId, AlertKind EventType, string Body, DeliveryState Status, int Attempts,
    int LastHttpStatus, string LastError, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

/// <summary>Webhook subscriptions and deliveries, in the license database on either engine (<see cref="AlertDatabase"/>).</summary>
public sealed class WebhookStore(AlertDatabase database)
{
    /// <summary>True when other replicas deliver from the same tables (PostgreSQL).</summary>
    public bool SharedByReplicas => database.SharedByReplicas;

    public void AddSubscription(WebhookSubscriptionRecord subscription)
    {
        using var connection = Open();
        connection.Execute(
            "INSERT INTO webhook_subscriptions (subscription_id, url, event_types, secret, created_at) VALUES (@id, @url, @types, @secret, @created)",
            new
            {
                id = subscription.SubscriptionId.ToString(),
                url = subscription.Url,
                types = string.Join(",", subscription.EventTypes.Select(t => (int)t)),
                secret = subscription.StoredSecret,
                created = subscription.CreatedAt.UtcTicks,
            });
    }

    public IReadOnlyList<WebhookSubscriptionRecord> Subscriptions()
    {
        using var connection = Open();
        return connection.Query<(string Id, string Url, string Types, string Secret, long Created)>(
                "SELECT subscription_id, url, event_types, secret, created_at FROM webhook_subscriptions ORDER BY created_at, subscription_id")
            .Select(row => new WebhookSubscriptionRecord(Guid.Parse(row.Id), row.Url,
                row.Types.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => (AlertKind)int.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToList(),
                row.Secret, new DateTimeOffset(row.Created, TimeSpan.Zero)))
            .ToList();
    }

    /// <summary>Encrypts every secret an earlier release stored in clear; how many there were.</summary>
    public int ProtectClearSecrets(WebhookSecretProtector protector)
    {
        using var connection = Open();
        var clear = connection.Query<(string Id, string Secret)>("SELECT subscription_id, secret FROM webhook_subscriptions")
            .Where(row => !WebhookSecretProtector.IsProtected(row.Secret))
            .ToList();
        foreach (var (id, secret) in clear)
        {
            connection.Execute("UPDATE webhook_subscriptions SET secret = @protected WHERE subscription_id = @id AND secret = @secret",
                new { id, secret, @protected = protector.Protect(secret) });
        }

        return clear.Count;
    }

    public bool DeleteSubscription(Guid subscriptionId)
    {
        using var connection = Open();
        return connection.Execute("DELETE FROM webhook_subscriptions WHERE subscription_id = @id", new { id = subscriptionId.ToString() }) > 0;
    }

    public void AddDelivery(WebhookDeliveryRecord delivery)
    {
        using var connection = Open();
        AddDelivery(connection, null, delivery);
    }

    /// <summary>Stores a delivery in <paramref name="transaction"/> (its alert's audit transaction), to be sent once that commits.</summary>
    internal static void AddDelivery(DbConnection connection, DbTransaction? transaction, WebhookDeliveryRecord delivery) =>
        connection.Execute("""
            INSERT INTO webhook_deliveries (delivery_id, subscription_id, event_type, body, status, attempts, last_http_status, last_error, created_at, completed_at)
            VALUES (@id, @subscription, @type, @body, @status, @attempts, @http, @error, @created, @completed)
            """, Parameters(delivery), transaction);

    public void UpdateDelivery(WebhookDeliveryRecord delivery)
    {
        using var connection = Open();
        UpdateDelivery(connection, null, delivery);
    }

    internal static void UpdateDelivery(DbConnection connection, DbTransaction? transaction, WebhookDeliveryRecord delivery) =>
        connection.Execute("""
            UPDATE webhook_deliveries SET status = @status, attempts = @attempts, last_http_status = @http, last_error = @error, completed_at = @completed
            WHERE delivery_id = @id
            """, Parameters(delivery), transaction);

    /// <summary>
    /// The right to send a delivery, or null when another replica is sending it (its row is locked) or it is no longer
    /// pending. Replicas sharing the tables lock the row (<c>FOR UPDATE SKIP LOCKED</c>) until the outcome is recorded;
    /// one process alone on SQLite sends what it queued, as before.
    /// </summary>
    public DeliveryClaim? Claim(Guid deliveryId)
    {
        if (!database.SharedByReplicas)
        {
            return new DeliveryClaim(this, null, null);
        }

        var connection = Open();
        var transaction = connection.BeginTransaction();
        var claimed = connection.ExecuteScalar<string?>(
            "SELECT delivery_id FROM webhook_deliveries WHERE delivery_id = @id AND status = 1 FOR UPDATE SKIP LOCKED",
            new { id = deliveryId.ToString() }, transaction);
        if (claimed is null)
        {
            transaction.Dispose();
            connection.Dispose();
            return null;
        }

        return new DeliveryClaim(this, connection, transaction);
    }

    /// <summary>A subscription's deliveries, newest first.</summary>
    public IReadOnlyList<WebhookDeliveryRecord> Deliveries(Guid subscriptionId, int limit)
    {
        using var connection = Open();
        return Read(connection, "WHERE subscription_id = @subscription ORDER BY sequence DESC LIMIT @limit",
            new { subscription = subscriptionId.ToString(), limit });
    }

    /// <summary>Deliveries a previous run left pending (it stopped before they finished), oldest first.</summary>
    public IReadOnlyList<WebhookDeliveryRecord> Pending(int limit)
    {
        using var connection = Open();
        return Read(connection, "WHERE status = 1 ORDER BY sequence LIMIT @limit", new { limit });
    }

    private static List<WebhookDeliveryRecord> Read(DbConnection connection, string where, object parameters) =>
        connection.Query<(string Id, string Subscription, long Type, string Body, long Status, long Attempts, long Http, string Error, long Created, long? Completed)>(
                $"SELECT delivery_id, subscription_id, event_type, body, status, attempts, last_http_status, last_error, created_at, completed_at FROM webhook_deliveries {where}",
                parameters)
            .Select(row => new WebhookDeliveryRecord(Guid.Parse(row.Id), Guid.Parse(row.Subscription), (AlertKind)row.Type, row.Body,
                (DeliveryState)row.Status, (int)row.Attempts, (int)row.Http, row.Error, new DateTimeOffset(row.Created, TimeSpan.Zero),
                row.Completed is { } completed ? new DateTimeOffset(completed, TimeSpan.Zero) : null))
            .ToList();

    private static object Parameters(WebhookDeliveryRecord d) => new
    {
        id = d.DeliveryId.ToString(),
        subscription = d.SubscriptionId.ToString(),
        type = (int)d.EventType,
        body = d.Body,
        status = (int)d.Status,
        attempts = d.Attempts,
        http = d.LastHttpStatus,
        error = d.LastError,
        created = d.CreatedAt.UtcTicks,
        completed = d.CompletedAt?.UtcTicks,
    };

    private DbConnection Open() => database.Open();
}
