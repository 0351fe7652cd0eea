using RdsPlatform.SessionHost.Connections;

namespace RdsPlatform.SessionHost.Storage;

/// <summary>A not-tracked admission waiting in the outbox, with the row id that orders and removes it.</summary>
public sealed record NotTrackedSignIn(long Id, ConnectAttempt Attempt);

/// <summary>
/// The rows of the not-tracked sign-in outbox (table <c>not_tracked_sign_ins</c>), on the gateway's storage engine. Every
/// replica sharing the storage delivers from it; a claim (a lease until a time) keeps a row one replica is delivering
/// from being sent by another, and a replica that dies mid-delivery leaves its rows to the others when the lease ends.
/// </summary>
public interface INotTrackedSignInQueue
{
    /// <summary>Commits every admission in one transaction (one fsync); only then may their callers be answered.</summary>
    void Add(IReadOnlyList<ConnectAttempt> attempts, DateTimeOffset queuedAt);

    /// <summary>How many admissions wait, claimed or not.</summary>
    int Count();

    /// <summary>
    /// Claims up to <paramref name="take"/> rows after id <paramref name="after"/> whose claim is free or ended at
    /// <paramref name="now"/>, until <paramref name="claimedUntil"/>; oldest first. Two callers never get the same row.
    /// </summary>
    IReadOnlyList<NotTrackedSignIn> Claim(long after, int take, DateTimeOffset now, DateTimeOffset claimedUntil);

    /// <summary>Removes a delivered row.</summary>
    void Remove(long id);

    /// <summary>Gives claimed rows back at once (not delivered this round), for the next round of any replica.</summary>
    void Release(IReadOnlyCollection<long> ids);
}

/// <summary>What both engines' statements share.</summary>
internal static class NotTrackedColumns
{
    public const string Insert = """
        INSERT INTO not_tracked_sign_ins (host_id, user_domain, user_name, hardware_id, computer_name, queued_at)
        VALUES (@host, @domain, @user, @hardware, @computer, @at)
        """;

    public const string Returned = "id, host_id, user_domain, user_name, hardware_id, computer_name";

    /// <summary>A row read in <see cref="Returned"/> order.</summary>
    public static NotTrackedSignIn Read(System.Data.Common.DbDataReader reader) => new(reader.GetInt64(0),
        new ConnectAttempt(reader.GetString(1), reader.GetString(4), reader.GetString(5), reader.GetString(2), reader.GetString(3), default));
}
