using Microsoft.Data.Sqlite;
using RdsPlatform.SessionHost.Connections;
using RdsPlatform.SessionHost.Hosts;

namespace RdsPlatform.SessionHost.Storage;

/// <summary>The not-tracked outbox in the gateway's SQLite file (<see cref="GatewayDatabase"/>), delivered by its one gateway process.</summary>
public sealed class SqliteNotTrackedSignInQueue(GatewayDatabase database) : INotTrackedSignInQueue
{
    public void Add(IReadOnlyList<ConnectAttempt> attempts, DateTimeOffset queuedAt)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = NotTrackedColumns.Insert;
        var host = command.Parameters.Add("@host", SqliteType.Text);
        var domain = command.Parameters.Add("@domain", SqliteType.Text);
        var user = command.Parameters.Add("@user", SqliteType.Text);
        var hardware = command.Parameters.Add("@hardware", SqliteType.Text);
        var computer = command.Parameters.Add("@computer", SqliteType.Text);
        command.Parameters.AddWithValue("@at", queuedAt.UtcTicks);
        foreach (var attempt in attempts)
        {
            host.Value = attempt.HostId;
            domain.Value = attempt.UserDomain;
            user.Value = attempt.UserName;
            hardware.Value = attempt.HardwareId;
            computer.Value = attempt.ComputerName;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public int Count()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM not_tracked_sign_ins";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<long?> DeliverNextAsync(long after, Func<ConnectAttempt, Task<bool>> deliver, CancellationToken cancellationToken)
    {
        NotTrackedSignIn? next;
        using (var connection = database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = NotTrackedColumns.Next;
            command.Parameters.AddWithValue("@after", after);
            using var reader = command.ExecuteReader();
            next = reader.Read() ? NotTrackedColumns.Read(reader) : null;
        }

        if (next is null)
        {
            return null;
        }

        // No lock is held while delivering: the file's one writer must stay free for Connect's group commits.
        if (await deliver(next.Attempt))
        {
            using var connection = database.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM not_tracked_sign_ins WHERE id = @id";
            command.Parameters.AddWithValue("@id", next.Id);
            command.ExecuteNonQuery();
        }

        return next.Id;
    }
}
