using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RdsPlatform.ServiceDefaults.Clock;
using RdsPlatform.Testing;
using StackExchange.Redis;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>
/// Simulated time shared through a real Redis-protocol server (Garnet): an offset in the cache that no clock can take (past
/// the end of the calendar, negative, not a number) is not taken, and the service's own offset replaces it; before, a
/// value past year 9999 was taken and every later reading of every service's clock threw.
/// </summary>
public sealed class SharedClockSyncTests(GarnetFixture garnet) : IClassFixture<GarnetFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("9223372036854775807")]
    [InlineData("-5")]
    [InlineData("not-a-number")]
    public async Task ACorruptSharedOffsetIsNotTakenAndTheServicesOwnReplacesIt(string stored)
    {
        using var cache = await ConnectionMultiplexer.ConnectAsync(garnet.ConnectionString);
        var db = cache.GetDatabase();
        var clock = new SharedClock(ClockMode.Simulated);
        Assert.True(clock.ObserveOffset(TimeSpan.FromDays(3)));
        await db.StringSetAsync(SharedClockSync.OffsetKey, stored);
        using var sync = new SharedClockSync(clock, Options.Create(new ClockOptions { Mode = ClockMode.Simulated, SyncInterval = TimeSpan.FromMilliseconds(10) }),
            NullLogger<SharedClockSync>.Instance, cache);

        await sync.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow + Patience;
        while ((string?)await db.StringGetAsync(SharedClockSync.OffsetKey) != TimeSpan.FromDays(3).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            Assert.True(DateTime.UtcNow < deadline, $"The cache still holds '{await db.StringGetAsync(SharedClockSync.OffsetKey)}' after 30 s.");
            await Task.Delay(10);
        }

        await sync.StopAsync(CancellationToken.None);
        Assert.Equal(TimeSpan.FromDays(3), clock.Offset);
        Assert.InRange(clock.GetUtcNow() - DateTimeOffset.UtcNow, TimeSpan.FromDays(3) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void AnOffsetBeyondACenturyOrBelowZeroIsRefusedAndTheClockKeepsItsOwn()
    {
        var clock = new SharedClock(ClockMode.Simulated);

        Assert.True(clock.ObserveOffset(ClockOptions.MaxOffset));
        Assert.False(clock.ObserveOffset(ClockOptions.MaxOffset + TimeSpan.FromTicks(1)));
        Assert.False(clock.ObserveOffset(TimeSpan.FromTicks(-1)));
        Assert.Equal(ClockOptions.MaxOffset, clock.Offset);
        Assert.True(clock.GetUtcNow() > DateTimeOffset.UtcNow.AddYears(99));
    }
}
