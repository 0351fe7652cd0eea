namespace RdsPlatform.LicenseServer.Storage;

/// <summary>A queued write as the group-commit writer runs it, whatever its result type.</summary>
internal interface IPendingWrite
{
    bool Failed { get; }

    /// <summary>What the write's last run threw, if it failed.</summary>
    Exception? Error { get; }

    /// <summary>What the write declared it reads, if it did (see <see cref="WriteScope"/>).</summary>
    WriteScope? Scope { get; }

    /// <summary>False when it was cancelled while queued: it is then skipped, its caller already saw the cancellation.</summary>
    bool TryStart();

    void Run(ILicenseWriteSession session);

    /// <summary>Forgets the result of a run whose group was rolled back, so it can run again.</summary>
    void Reset();

    /// <summary>Answers the caller after the commit (or the rollback of this write alone).</summary>
    void Complete();

    /// <summary>Answers the caller with the error that lost the whole group.</summary>
    void Fail(Exception exception);
}

/// <summary>One queued write and its caller's task, completed only after the group's commit.</summary>
internal sealed class PendingWrite<T> : IPendingWrite, IDisposable
{
    private const int Queued = 0, Started = 1, Cancelled = 2;

    private readonly Func<ILicenseWriteSession, T> _work;
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _registration;
    private int _state;
    private T? _result;
    private Exception? _error;

    public PendingWrite(WriteScope? scope, Func<ILicenseWriteSession, T> work, CancellationToken cancellationToken)
    {
        Scope = scope;
        _work = work;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.Register(static (state, token) =>
            {
                var self = (PendingWrite<T>)state!;
                if (Interlocked.CompareExchange(ref self._state, Cancelled, Queued) == Queued)
                {
                    self._completion.TrySetCanceled(token);
                }
            }, this);
        }
    }

    public Task<T> Task => _completion.Task;

    public bool Failed => _error is not null;

    public Exception? Error => _error;

    public WriteScope? Scope { get; }

    public bool TryStart()
    {
        var started = Interlocked.CompareExchange(ref _state, Started, Queued) == Queued;
        if (!started)
        {
            _registration.Dispose();
        }

        return started;
    }

    public void Run(ILicenseWriteSession session)
    {
        try
        {
            _result = _work(session);
        }
        catch (Exception ex)
        {
            _error = ex;
        }
    }

    public void Reset()
    {
        _result = default;
        _error = null;
    }

    public void Complete()
    {
        _registration.Dispose();
        if (_error is not null)
        {
            _completion.TrySetException(_error);
        }
        else
        {
            _completion.TrySetResult(_result!);
        }
    }

    public void Fail(Exception exception)
    {
        _registration.Dispose();
        _completion.TrySetException(exception);
    }

    public void Dispose() => _registration.Dispose();
}
