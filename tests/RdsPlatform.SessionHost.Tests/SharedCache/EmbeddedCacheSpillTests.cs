using Garnet;
using RdsPlatform.Cache;
using RdsPlatform.Testing;
using StackExchange.Redis;

namespace RdsPlatform.SessionHost.Tests.SharedCache;

/// <summary>
/// The embedded cache keeps every record it acknowledged when it holds more than its memory: the records beyond it spill
/// to its log folder and are read back from there (without a storage tier Garnet dropped the oldest ones, and with them
/// sessions the gateway had acknowledged). The AppHost's options, with the memory scaled down so a test overflows it.
/// </summary>
public sealed class EmbeddedCacheSpillTests : IDisposable
{
    private const int Records = 6_000;
    private readonly string _folder = Directory.CreateTempSubdirectory("rds-cache-spill-").FullName;

    [Fact]
    public async Task RecordsBeyondTheCachesMemoryAreStillRead()
    {
        var port = GarnetFixture.FreeTcpPort().ToString();
        using var server = new GarnetServer(CacheServerArguments.Embedded(port, _folder, memory: "2m", page: "64k", segment: "1m"));
        server.Start();
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},connectTimeout=5000,syncTimeout=5000");
        var db = redis.GetDatabase();
        var value = new string('s', 2_000);

        // 12 MB of sessions (with the expiry sessions get) into a 2 MB memory log.
        for (var start = 0; start < Records; start += 500)
        {
            await Task.WhenAll(Enumerable.Range(start, 500).Select(i => db.StringSetAsync($"session:{i}", $"{i}:{value}", TimeSpan.FromHours(1))));
        }

        var missing = new List<int>();
        for (var i = 0; i < Records; i++)
        {
            var read = await db.StringGetAsync($"session:{i}");
            if (read != $"{i}:{value}")
            {
                missing.Add(i);
            }
        }

        Assert.True(missing.Count == 0, $"{missing.Count} of {Records} records were not read back, the first {string.Join(", ", missing.Take(5))}.");
        Assert.NotEmpty(Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
