namespace RdsPlatform.Licensing.Tests;

/// <summary>Ids from the per-thread buffer of cryptographic random bytes have the shape and uniqueness of the runtime's own.</summary>
public class RandomIdsTests
{
    [Fact]
    public void RandomIdsAreVersion4UuidsAndNeverRepeatAcrossThreadsAndBufferRefills()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        // 8 threads x 1,000 ids: each thread's 512-byte buffer is refilled 31 times.
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                ids.Add(RandomIds.NewGuid());
            }
        });

        Assert.Equal(8_000, ids.Distinct().Count());
        Assert.All(ids, id =>
        {
            Assert.Equal(4, id.Version);
            Assert.Equal(0b10, id.Variant >> 2);
        });
    }

    [Fact]
    public void RandomIdsUseEveryBitOutsideTheVersionAndVariant()
    {
        // Over 2,000 ids every one of the 122 random bits is both 0 and 1 somewhere (a constant or reused byte would not be).
        var ones = new int[128];
        const int Count = 2_000;
        for (var i = 0; i < Count; i++)
        {
            var bytes = RandomIds.NewGuid().ToByteArray(bigEndian: true);
            for (var bit = 0; bit < 128; bit++)
            {
                ones[bit] += (bytes[bit / 8] >> (7 - (bit % 8))) & 1;
            }
        }

        int[] fixedBits = [48, 49, 50, 51, 64, 65];
        for (var bit = 0; bit < 128; bit++)
        {
            if (!fixedBits.Contains(bit))
            {
                Assert.InRange(ones[bit], Count / 4, Count * 3 / 4);
            }
        }
    }

    [Fact]
    public void Version7IdsCarryTheirMillisecondAndSortByIt()
    {
        var at = new DateTimeOffset(2026, 12, 2, 16, 30, 0, 123, TimeSpan.Zero);
        var id = RandomIds.NewVersion7(at);
        var later = RandomIds.NewVersion7(at.AddMilliseconds(1));

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, id.Variant >> 2);
        var bytes = id.ToByteArray(bigEndian: true);
        var milliseconds = ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
        Assert.Equal(at.ToUnixTimeMilliseconds(), milliseconds);
        // The runtime's own version 7 id of the same millisecond starts with the same 12 hex digits.
        Assert.Equal(Guid.CreateVersion7(at).ToString()[..13], id.ToString()[..13]);
        Assert.True(string.CompareOrdinal(id.ToString(), later.ToString()) < 0);
        Assert.NotEqual(id, RandomIds.NewVersion7(at));
    }

    [Fact]
    public void SessionIdsAre32LowercaseHexadecimalDigits()
    {
        var id = RandomIds.NewSessionId();

        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(Guid.ParseExact(id, "N").ToString("N"), id);
    }
}
