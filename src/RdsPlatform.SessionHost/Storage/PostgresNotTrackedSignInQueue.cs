using Npgsql;
using RdsPlatform.ServiceDefaults.Storage;
using RdsPlatform.SessionHost.Connections;

namespace RdsPlatform.SessionHost.Storage;

/// <summary>
/// The not-tracked outbox in the gateway's PostgreSQL database, shared by every gateway replica. Each delivery locks its
/// row with <c>FOR UPDATE SKIP LOCKED</c> in a transaction that deletes it once delivered: replicas delivering at once take
/// different rows without waiting on each other, and a replica that dies mid-delivery leaves its row to the others at once.
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

    public async Task<long?> DeliverNextAsync(long after, Func<ConnectAttempt, Task<bool>> deliver, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        NotTrackedSignIn? next;
        await using (var command = new NpgsqlCommand(NotTrackedColumns.Next + " FOR UPDATE SKIP LOCKED", connection, transaction))
        {
            command.Parameters.AddWithValue("after", after);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            next = await reader.ReadAsync(cancellationToken) ? NotTrackedColumns.Read(reader) : null;
        }

        if (next is null)
        {
            return null;
        }

        // The row stays locked while it is delivered; a failed delivery (false, or an exception) rolls the lock back.
        if (await deliver(next.Attempt))
        {
            await using var delete = new NpgsqlCommand("DELETE FROM not_tracked_sign_ins WHERE id = @id", connection, transaction);
            delete.Parameters.AddWithValue("id", next.Id);
            await delete.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return next.Id;
    }
}
