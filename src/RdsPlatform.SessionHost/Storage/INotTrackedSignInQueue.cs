using RdsPlatform.SessionHost.Connections;

namespace RdsPlatform.SessionHost.Storage;

/// <summary>A not-tracked admission waiting in the outbox, with the row id that orders and removes it.</summary>
public sealed record NotTrackedSignIn(long Id, ConnectAttempt Attempt);

/// <summary>
/// The rows of the not-tracked sign-in outbox (table <c>not_tracked_sign_ins</c>), on the gateway's storage engine. On
/// PostgreSQL every replica delivers from it: the row being delivered is locked (<c>FOR UPDATE SKIP LOCKED</c>) in a
/// transaction held for the delivery, so no other replica sends it meanwhile, and a replica that dies mid-delivery
/// releases it at once (its connection ends). A SQLite file belongs to one gateway process.
/// </summary>
public interface INotTrackedSignInQueue
{
    /// <summary>Commits every admission in one transaction (one fsync); only then may their callers be answered.</summary>
    void Add(IReadOnlyList<ConnectAttempt> attempts, DateTimeOffset queuedAt);

    /// <summary>How many admissions wait.</summary>
    int Count();

    /// <summary>
    /// Hands the oldest waiting admission after id <paramref name="after"/> that no other replica is delivering to
    /// <paramref name="deliver"/>, and removes it when that returns true (kept for a later round when false or when it
    /// throws). The row's id, or null when no row is left after <paramref name="after"/>.
    /// </summary>
    Task<long?> DeliverNextAsync(long after, Func<ConnectAttempt, Task<bool>> deliver, CancellationToken cancellationToken);
}

/// <summary>What both engines' statements share.</summary>
internal static class NotTrackedColumns
{
    public const string Insert = """
        INSERT INTO not_tracked_sign_ins (host_id, user_domain, user_name, hardware_id, computer_name, queued_at)
        VALUES (@host, @domain, @user, @hardware, @computer, @at)
        """;

    public const string Returned = "id, host_id, user_domain, user_name, hardware_id, computer_name";

    public const string Next = $"SELECT {Returned} FROM not_tracked_sign_ins WHERE id > @after ORDER BY id LIMIT 1";

    /// <summary>A row read in <see cref="Returned"/> order.</summary>
    public static NotTrackedSignIn Read(System.Data.Common.DbDataReader reader) => new(reader.GetInt64(0),
        new ConnectAttempt(reader.GetString(1), reader.GetString(4), reader.GetString(5), reader.GetString(2), reader.GetString(3), default));
}
