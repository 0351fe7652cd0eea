using System.Diagnostics.Metrics;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>Counts kept by the gateway and read by a metrics listener as an observable counter's cumulative sums.</summary>
public sealed class TaggedCountsTests
{
    [Fact]
    public void CountsFromManyThreadsAreSummedExactlyPerTagCombinationAndUncountedCombinationsAreNotReported()
    {
        var counts = new TaggedCounts([
            [new KeyValuePair<string, object?>("cache", "miss")],
            [new KeyValuePair<string, object?>("cache", "hit")],
            [new KeyValuePair<string, object?>("cache", "never")],
        ]);
        using var meter = new Meter("RdsPlatform.SessionHost.Tests.TaggedCounts");
        meter.CreateObservableCounter("test.counts", counts.Observe);

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                counts.Increment(i % 4 == 0 ? 0 : 1);
            }
        });

        var seen = Collect(meter);
        Assert.Equal(new Dictionary<string, long> { ["miss"] = 20_000, ["hit"] = 60_000 }, seen);

        counts.Increment(0);
        Assert.Equal(20_001, Collect(meter)["miss"]);
    }

    [Fact]
    public void ACellOutsideTheCombinationsIsRefused()
    {
        var counts = new TaggedCounts([[new KeyValuePair<string, object?>("cache", "hit")]]);

        Assert.Throws<ArgumentOutOfRangeException>(() => counts.Increment(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => counts.Increment(-1));
        Assert.Empty(counts.Observe());
    }

    private static Dictionary<string, long> Collect(Meter meter)
    {
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => seen[(string)tags[0].Value!] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }
}
