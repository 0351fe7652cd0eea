using System.Diagnostics.Metrics;

namespace RdsPlatform.SessionHost;

/// <summary>
/// A monotonic count per combination of tags fixed in advance, kept by the caller and reported through an
/// <see cref="ObservableCounter{T}"/> when a metrics reader collects. For counters added to on every call of a hot path:
/// a <see cref="Counter{T}.Add(T, KeyValuePair{string, object?}[])"/> with tags costs the metrics pipeline's tag lookup and
/// update for each listener on every call (with the gateway's OpenTelemetry SDK about 2-4 % of a Connect's CPU,
/// docs/performance.md), and a boxed value or a string per tag; here a call is one interlocked increment. Each tag
/// combination is a cell; cells are striped by processor (each stripe on its own cache lines) so that two cores counting the
/// same combination do not contend for one line. What a reader sees is the same series a counter would give: one cumulative
/// sum per combination that occurred.
/// </summary>
internal sealed class TaggedCounts
{
    // 8 longs: a stripe starts on its own 64-byte line.
    private const int LineLongs = 8;

    private readonly KeyValuePair<string, object?>[][] _tags;
    private readonly long[] _counts;
    private readonly int _stride;
    private readonly int _stripeMask;

    /// <param name="tags">Each cell's tags, in cell order: <see cref="Increment"/> takes an index into this list.</param>
    public TaggedCounts(IReadOnlyList<KeyValuePair<string, object?>[]> tags)
    {
        ArgumentOutOfRangeException.ThrowIfZero(tags.Count);
        _tags = [.. tags];
        _stride = (tags.Count + LineLongs - 1) / LineLongs * LineLongs;
        var stripes = (int)Math.Min(64, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));
        _stripeMask = stripes - 1;
        _counts = new long[stripes * _stride];
    }

    /// <summary>Counts one for cell <paramref name="cell"/>.</summary>
    public void Increment(int cell)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)cell, (uint)_tags.Length, nameof(cell));
        var stripe = Thread.GetCurrentProcessorId() & _stripeMask;
        Interlocked.Increment(ref _counts[stripe * _stride + cell]);
    }

    /// <summary>The cumulative count of every cell counted at least once, with its tags (the observable counter's callback).</summary>
    public IEnumerable<Measurement<long>> Observe()
    {
        var measurements = new List<Measurement<long>>();
        for (var cell = 0; cell < _tags.Length; cell++)
        {
            long sum = 0;
            for (var at = cell; at < _counts.Length; at += _stride)
            {
                sum += Interlocked.Read(ref _counts[at]);
            }

            if (sum > 0)
            {
                measurements.Add(new Measurement<long>(sum, _tags[cell]));
            }
        }

        return measurements;
    }
}
