using Npgsql;
using NpgsqlTypes;
using RdsPlatform.ServiceDefaults.Storage;
using RdsPlatform.SessionHost.Connections;

namespace RdsPlatform.SessionHost.Storage;

/// <summary>
/// The not-tracked outbox in the gateway's PostgreSQL database, shared by every gateway replica. A claim is one statement
/// that locks the rows it takes with <c>FOR UPDATE SKIP LOCKED</c>: replicas claiming at once take disjoint rows without
/// waiting on each other, and a row claimed a moment ago is re-checked against its new lease and left alone.
/// </summary>
public sealed class PostgresNotTrackedSignInQueue(PostgresDatabase database) : INotTrackedSignInQueue
{
    public void Add(IReadOnlyList<ConnectAttempt> attempts, DateTimeOffset queuedAt)
    {
        using var connection = database.Open();
        using var batch = new NpgsqlBatch(connection);
        foreach (var attempt in attempts)
        {
            var command = new NpgsqlBatchCommand(NotTrackedColumns.Insert);
            command.Parameters.AddWithValue("host", attempt.HostId);
            command.Parameters.AddWithValue("domain", attempt.UserDomain);
            command.Parameters.AddWithValue("user", attempt.UserName);
            command.Parameters.AddWithValue("hardware", attempt.HardwareId);
            command.Parameters.AddWithValue("computer", attempt.ComputerName);
            command.Parameters.AddWithValue("at", queuedAt.UtcTicks);
            batch.BatchCommands.Add(command);
        }

        // A batch without a transaction of its own runs as one implicit transaction: all rows or none, one commit.
        batch.ExecuteNonQuery();
    }

    public int Count()
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand("SELECT COUNT(*)::integer FROM not_tracked_sign_ins", connection);
        return (int)command.ExecuteScalar()!;
    }

    public IReadOnlyList<NotTrackedSignIn> Claim(long after, int take, DateTimeOffset now, DateTimeOffset claimedUntil)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand($"""
            UPDATE not_tracked_sign_ins SET claimed_until = @until
            WHERE id IN (SELECT id FROM not_tracked_sign_ins
                         WHERE id > @after AND (claimed_until IS NULL OR claimed_until <= @now)
                         ORDER BY id LIMIT @take FOR UPDATE SKIP LOCKED)
            RETURNING {NotTrackedColumns.Returned}
            """, connection);
        command.Parameters.AddWithValue("until", claimedUntil.UtcTicks);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("now", now.UtcTicks);
        command.Parameters.AddWithValue("take", take);
        var rows = new List<NotTrackedSignIn>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add(NotTrackedColumns.Read(reader));
            }
        }

        rows.Sort((a, b) => a.Id.CompareTo(b.Id));
        return rows;
    }

    public void Remove(long id)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand("DELETE FROM not_tracked_sign_ins WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        command.ExecuteNonQuery();
    }

    public void Release(IReadOnlyCollection<long> ids)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand("UPDATE not_tracked_sign_ins SET claimed_until = NULL WHERE id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint, ids.ToArray());
        command.ExecuteNonQuery();
    }
}
