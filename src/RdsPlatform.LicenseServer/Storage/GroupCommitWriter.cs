using System.Data;
using System.Data.Common;
using System.Runtime.ExceptionServices;
using System.Globalization;
using System.Threading.Channels;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>What the group-commit writer needs of an engine: its writer connection and a transaction holding the write lock.</summary>
internal interface IWriteEngine
{
    /// <summary>A new open writer connection whose commits are durable before they return.</summary>
    PreparedStatements OpenWriter();

    /// <summary>
    /// Begins a write transaction that holds the database's write lock until it ends, so writes of every process are
    /// serialized (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory transaction lock).
    /// </summary>
    DbTransaction Begin(PreparedStatements statements);
}

/// <summary>An engine whose reads are round trips (PostgreSQL), with a path for groups of scoped writes; SQLite has none.</summary>
internal interface IGroupWriteEngine : IWriteEngine
{
    /// <summary>
    /// Begins a write transaction, as <see cref="IWriteEngine.Begin"/>, for a group whose writes all declared their scope,
    /// and reads those scopes at once; null when it could not read them.
    /// </summary>
    IGroupWriteSession? BeginGroup(PreparedStatements statements, IReadOnlyList<WriteScope> scopes);
}

/// <summary>A write session over a whole group that may hold its changes back until <see cref="Flush"/>.</summary>
internal interface IGroupWriteSession : ILicenseWriteSession, IDisposable
{
    DbTransaction Transaction { get; }

    /// <summary>
    /// Sends the changes held back and commits them, in as few round trips as the engine can; throws when the database
    /// refuses one, with nothing committed (the group is then rolled back).
    /// </summary>
    void Commit();

    /// <summary>Runs the after-commit actions of the group's writes.</summary>
    void Committed();
}

/// <summary>
/// The license store's writer on either engine: one loop that commits queued writes in groups (one transaction and one
/// durable commit per group, each write in its own savepoint), so decisions are sequential and an issuance decision never
/// works on a stale count (R7); the engine's write lock keeps other processes' writes out of the group's transaction.
/// Nothing is acknowledged before its group's commit.
/// </summary>
internal sealed class GroupCommitWriter(IWriteEngine engine) : IDisposable
{
    /// <summary>Writes committed together at most: bounds one transaction's length and the wait of the last in the group.</summary>
    internal const int MaxBatch = 256;

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Channel<IPendingWrite> _writes = Channel.CreateUnbounded<IPendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _writer;
    private TaskCompletionSource _nextCommit = NewCommitSignal();

    public Task NextCommit => Volatile.Read(ref _nextCommit).Task;

    /// <summary>Groups run again one write at a time after their grouped run was rolled back (a write failed, or the database refused the group).</summary>
    public long Replays => Interlocked.Read(ref _replays);

    private long _replays;

    public Task<T> WriteAsync<T>(WriteScope? scope, Func<ILicenseWriteSession, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureWriter();
        var operation = new PendingWrite<T>(scope, work, cancellationToken);
        if (!_writes.Writer.TryWrite(operation))
        {
            operation.Dispose();
            throw new ObjectDisposedException(nameof(ILicenseStore), "The license store is shutting down; retry on another license server or after its restart.");
        }

        return operation.Task;
    }

    /// <summary>Runs <paramref name="action"/> while no group is being written (schema migration).</summary>
    public async Task ExclusiveAsync(Action action, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            action();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public void Dispose()
    {
        // Writes already queued are still committed and answered; new ones are refused.
        _writes.Writer.TryComplete();
        Task? writer;
        lock (_writes)
        {
            writer = _writer;
        }

        writer?.Wait(TimeSpan.FromSeconds(30));
        _writeGate.Dispose();
    }

    private void EnsureWriter()
    {
        if (Volatile.Read(ref _writer) is not null)
        {
            return;
        }

        lock (_writes)
        {
            _writer ??= Task.Factory.StartNew(WriterLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>
    /// Group commit: the single writer takes every queued write (up to <see cref="MaxBatch"/>), runs them one after another
    /// in ONE transaction, each in its own savepoint so a failing write rolls back alone, commits once (one fsync for the
    /// group) and only then answers the callers. Decisions stay sequential, so each sees the previous one's seats (R7),
    /// and nothing is acknowledged before it is durable.
    /// </summary>
    private async Task WriterLoopAsync()
    {
        var batch = new List<IPendingWrite>(MaxBatch);
        var reader = _writes.Reader;
        PreparedStatements? connection = null;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var operation))
                {
                    if (operation.TryStart())
                    {
                        batch.Add(operation);
                    }
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                await _writeGate.WaitAsync();
                try
                {
                    connection ??= engine.OpenWriter();
                    RunBatch(connection, batch);
                }
                catch (Exception ex)
                {
                    // BEGIN or COMMIT failed: nothing of the group is durable, every caller gets the error.
                    foreach (var operation in batch)
                    {
                        operation.Fail(ex);
                    }

                    connection?.Dispose();
                    connection = null;
                }
                finally
                {
                    _writeGate.Release();
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private static string SavepointName(int index) => "w" + index.ToString(CultureInfo.InvariantCulture);

    private static TaskCompletionSource NewCommitSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void RunBatch(PreparedStatements statements, List<IPendingWrite> batch)
    {
        if (engine is IGroupWriteEngine groups && batch.TrueForAll(static write => write.Scope is not null) && TryRunGroup(groups, statements, batch))
        {
            return;
        }

        RunOneByOne(statements, batch);
    }

    /// <summary>
    /// A group whose writes all declared their scope, through the engine's group session: no savepoints, the changes sent
    /// together before the commit. Any failed write, and any refusal of the changes, rolls the whole group back and resets
    /// its writes (false): <see cref="RunOneByOne"/> then runs them again, each in its savepoint, so a failure stays the
    /// failing write's own. Nothing is answered before the commit either way.
    /// </summary>
    private bool TryRunGroup(IGroupWriteEngine groups, PreparedStatements statements, List<IPendingWrite> batch)
    {
        using var session = groups.BeginGroup(statements, batch.ConvertAll(static write => write.Scope!));
        if (session is null)
        {
            return false;
        }

        Exception? failure = null;
        foreach (var write in batch)
        {
            write.Run(session);
            if (write.Failed)
            {
                failure = write.Error;
                break;
            }
        }

        try
        {
            if (failure is null)
            {
                session.Commit();
            }
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            failure = ex;
        }

        if (failure is not null)
        {
            Abandon(statements, session, failure);
            batch.ForEach(static write => write.Reset());
            Interlocked.Increment(ref _replays);
            return false;
        }

        session.Committed();
        Answer(batch);
        return true;
    }

    /// <summary>
    /// Rolls a failed group back so it can run again one write at a time. When the failure was the database's and the
    /// connection did not survive it, the group is not run again on it: the failure is thrown, so every caller gets it
    /// (Unavailable for a transient one) and the next group opens a new connection.
    /// </summary>
    private static void Abandon(PreparedStatements statements, IGroupWriteSession session, Exception failure)
    {
        try
        {
            session.Transaction.Rollback();
        }
        catch (Exception) when (failure is DbException)
        {
            // The connection is lost with the transaction; checked below.
        }

        if (failure is DbException && statements.Connection.State != ConnectionState.Open)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private void Answer(List<IPendingWrite> batch)
    {
        Interlocked.Exchange(ref _nextCommit, NewCommitSignal()).TrySetResult();
        foreach (var operation in batch)
        {
            operation.Complete();
        }
    }

    private void RunOneByOne(PreparedStatements statements, List<IPendingWrite> batch)
    {
        using var transaction = engine.Begin(statements);
        // Read in the transaction, after the lock: another process may have changed the activation since the last group.
        var session = new LicenseWriteSession(statements, transaction, LicenseRows.ReadServer(statements.Get(LicenseRows.ServerQuery, transaction)));
        if (batch.Count == 1)
        {
            // Alone in its group: no savepoint needed, a failure rolls the whole transaction back.
            batch[0].Run(session);
            if (batch[0].Failed)
            {
                transaction.Rollback();
                batch[0].Complete();
                return;
            }
        }
        else
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var server = session.Server;
                var afterCommit = session.AfterCommitCount;
                var name = SavepointName(i);
                // The previous write's savepoint is released and this one's set by one command: on PostgreSQL each command
                // is a network round trip of the single writer, which bounds the write rate. The commit releases the last one.
                statements.Get(i == 0 ? $"SAVEPOINT {name}" : $"RELEASE SAVEPOINT {SavepointName(i - 1)}; SAVEPOINT {name}", transaction)
                    .ExecuteNonQuery();
                batch[i].Run(session);
                if (batch[i].Failed)
                {
                    transaction.Rollback(name);
                    session.Restore(server, afterCommit);
                }
            }
        }

        transaction.Commit();
        session.Committed();
        Answer(batch);
    }
}
