namespace RdsPlatform.Reporting.Generation;

/// <summary>
/// Lets concurrent callers asking the same question share one computation without ever getting an answer older than
/// their call: a caller joins the run that is queued (not yet started) for its key, or queues a new one; a queued run
/// starts when the key's running one ends. So every answer was computed entirely after its caller arrived, at most
/// one run per key is in progress and at most one waits, however many callers there are.
/// </summary>
public sealed class NextRunSharing<TKey, TValue>(Func<TKey, Task<TValue>> compute, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TKey, Slot> _slots = new(comparer);

    /// <summary>
    /// The answer of a run that starts after this call. Cancelling stops the wait, not the shared run (other callers
    /// may still need it); a failed run fails every caller that joined it.
    /// </summary>
    public Task<TValue> GetAsync(TKey key, CancellationToken cancellationToken)
    {
        TaskCompletionSource<TValue> run;
        lock (_lock)
        {
            if (!_slots.TryGetValue(key, out var slot))
            {
                slot = new Slot();
                _slots.Add(key, slot);
            }

            if (slot.Queued is { } queued)
            {
                return queued.Task.WaitAsync(cancellationToken);
            }

            run = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (slot.Running is not null)
            {
                slot.Queued = run;
                return run.Task.WaitAsync(cancellationToken);
            }

            slot.Running = run;
        }

        _ = RunAsync(key, run);
        return run.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync(TKey key, TaskCompletionSource<TValue> run)
    {
        while (true)
        {
            try
            {
                run.TrySetResult(await compute(key));
            }
            catch (Exception ex)
            {
                run.TrySetException(ex);
            }

            lock (_lock)
            {
                var slot = _slots[key];
                if (slot.Queued is not { } next)
                {
                    _slots.Remove(key);
                    return;
                }

                slot.Queued = null;
                slot.Running = next;
                run = next;
            }
        }
    }

    private sealed class Slot
    {
        public TaskCompletionSource<TValue>? Running;
        public TaskCompletionSource<TValue>? Queued;
    }
}
