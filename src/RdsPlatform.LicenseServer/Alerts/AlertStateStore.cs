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
    /// Claims <paramref name="claim"/>'s key in <paramref name="transaction"/>: true when this transaction stored it (not
    /// stored before) or moved it from the state it was read in (<see cref="AlertClaim.Expected"/>), false when another
    /// claim got there first. Replicas claiming the same key at once succeed once (the primary key or the compared state
    /// decides, on both engines, under the writer's lock), and a claim rolled back with its transaction leaves the key as it was.
    /// </summary>
    internal static bool Claim(DbConnection connection, DbTransaction transaction, AlertClaim claim) =>
        connection.Execute(claim.Expected is null
            ? """
              INSERT INTO alert_state (alert_key, state, updated_at) VALUES (@key, @state, @at)
              ON CONFLICT (alert_key) DO NOTHING
              """
            : "UPDATE alert_state SET state = @state, updated_at = @at WHERE alert_key = @key AND state = @expected",
            new { key = claim.Key, state = claim.State, at = claim.At.UtcTicks, expected = claim.Expected }, transaction) == 1;

    /// <summary>Moves each key the way <see cref="Claim"/> does, in one transaction (one fsync); a key another replica moved since it was read is left as that replica left it.</summary>
    public void Move(IReadOnlyCollection<AlertClaim> moves)
    {
        if (moves.Count == 0)
        {
            return;
        }

        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        foreach (var move in moves)
        {
            Claim(connection, transaction, move);
        }

        transaction.Commit();
    }

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
