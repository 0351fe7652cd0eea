using System.Data.Common;
using Dapper;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>
/// What was last alerted, by key (a pool, a gateway alert id), in the license database's <c>alert_state</c> table, so a
/// license server that restarts does not alert again about a condition it alerted before. A pool's state is written after
/// the alert's audit event (a crash between the two alerts twice, never not at all); an alert raised once across replicas
/// is claimed in its audit event's own transaction instead (<see cref="Claim"/>).
/// </summary>
public sealed class AlertStateStore(AlertDatabase database)
{
    /// <summary>Every state whose key starts with <paramref name="prefix"/>.</summary>
    public IReadOnlyDictionary<string, string> Load(string prefix)
    {
        using var connection = database.Open();
        return connection.Query<(string Key, string State)>(
                "SELECT alert_key, state FROM alert_state WHERE substr(alert_key, 1, length(@prefix)) = @prefix", new { prefix })
            .ToDictionary(row => row.Key, row => row.State, StringComparer.Ordinal);
    }

    public bool Exists(string key)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM alert_state WHERE alert_key = @key", new { key }) > 0;
    }

    /// <summary>
    /// Claims <paramref name="key"/> in <paramref name="transaction"/>: true when this transaction stored it, false when it
    /// was stored before. Replicas claiming the same key at once store it once (the primary key decides, on both engines),
    /// and a claim rolled back with its transaction leaves the key free.
    /// </summary>
    internal static bool Claim(DbConnection connection, DbTransaction transaction, string key, string state, DateTimeOffset at) =>
        connection.Execute("""
            INSERT INTO alert_state (alert_key, state, updated_at) VALUES (@key, @state, @at)
            ON CONFLICT (alert_key) DO NOTHING
            """, new { key, state, at = at.UtcTicks }, transaction) == 1;

    public void Save(string key, string state, DateTimeOffset at) => Save(new Dictionary<string, string> { [key] = state }, at);

    /// <summary>Keeps every state in one transaction (one fsync, however many pools one re-read changed).</summary>
    public void Save(IReadOnlyDictionary<string, string> states, DateTimeOffset at)
    {
        if (states.Count == 0)
        {
            return;
        }

        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        connection.Execute("""
            INSERT INTO alert_state (alert_key, state, updated_at) VALUES (@key, @state, @at)
            ON CONFLICT (alert_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
            """, states.Select(s => new { key = s.Key, state = s.Value, at = at.UtcTicks }), transaction);
        transaction.Commit();
    }
}
