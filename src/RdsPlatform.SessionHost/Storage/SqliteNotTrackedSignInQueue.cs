using Microsoft.Data.Sqlite;
using RdsPlatform.SessionHost.Connections;
using RdsPlatform.SessionHost.Hosts;

namespace RdsPlatform.SessionHost.Storage;

/// <summary>
/// The not-tracked outbox in the gateway's SQLite file (<see cref="GatewayDatabase"/>). Claims are taken under
/// <c>BEGIN IMMEDIATE</c> (SQLite's one writer), so processes sharing the file never claim the same row.
/// </summary>
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

    public IReadOnlyList<NotTrackedSignIn> Claim(long after, int take, DateTimeOffset now, DateTimeOffset claimedUntil)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            UPDATE not_tracked_sign_ins SET claimed_until = @until
            WHERE id IN (SELECT id FROM not_tracked_sign_ins
                         WHERE id > @after AND (claimed_until IS NULL OR claimed_until <= @now) ORDER BY id LIMIT @take)
            RETURNING {NotTrackedColumns.Returned}
            """;
        command.Parameters.AddWithValue("@until", claimedUntil.UtcTicks);
        command.Parameters.AddWithValue("@after", after);
        command.Parameters.AddWithValue("@now", now.UtcTicks);
        command.Parameters.AddWithValue("@take", take);
        var rows = new List<NotTrackedSignIn>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add(NotTrackedColumns.Read(reader));
            }
        }

        transaction.Commit();
        rows.Sort((a, b) => a.Id.CompareTo(b.Id));
        return rows;
    }

    public void Remove(long id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM not_tracked_sign_ins WHERE id = @id";
        command.Parameters.AddWithValue("@id", id);
        command.ExecuteNonQuery();
    }

    public void Release(IReadOnlyCollection<long> ids)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE not_tracked_sign_ins SET claimed_until = NULL WHERE id = @id";
        var id = command.Parameters.Add("@id", SqliteType.Integer);
        foreach (var each in ids)
        {
            id.Value = each;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
