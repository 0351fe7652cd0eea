using System.Data.Common;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>
/// One replica's claim on one delivery (<see cref="WebhookStore.Claim"/>): on PostgreSQL the row stays locked in an open
/// transaction while it is sent, and the outcome is written and committed in it, so no other replica sends it meanwhile
/// nor after. A claim dropped without an outcome (stopping, or the replica dies) leaves the delivery pending, to be sent
/// again: at least once, never by two replicas at the same time.
/// </summary>
public sealed class DeliveryClaim(WebhookStore store, DbConnection? connection, DbTransaction? transaction) : IDisposable
{
    /// <summary>Records the outcome and ends the claim.</summary>
    public void Complete(WebhookDeliveryRecord outcome)
    {
        if (connection is null || transaction is null)
        {
            store.UpdateDelivery(outcome);
            return;
        }

        WebhookStore.UpdateDelivery(connection, transaction, outcome);
        transaction.Commit();
    }

    public void Dispose()
    {
        transaction?.Dispose();
        connection?.Dispose();
    }
}
