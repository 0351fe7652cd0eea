using System.Reflection;
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
    public async Task AnUnexpectedFailureOfOneSyncRoundDoesNotEndTheLoop()
    {
        // Every read of the cache throws something that is not one of StackExchange.Redis's own exceptions; before, the first
        // such round ended the background loop (and, in a host, stopped the service).
        var cache = DispatchProxy.Create<IConnectionMultiplexer, ThrowingCache>();
        var clock = new SharedClock(ClockMode.Simulated);
        using var sync = new SharedClockSync(clock, Options.Create(new ClockOptions { Mode = ClockMode.Simulated, SyncInterval = TimeSpan.FromMilliseconds(10) }),
            NullLogger<SharedClockSync>.Instance, cache);

        await sync.StartAsync(CancellationToken.None);

        await BackgroundLoops.RunsPastTheFailureAsync(sync, ((ThrowingCache)(object)cache).ReadAfterTheFailure.Task);
        Assert.Equal(TimeSpan.Zero, clock.Offset);
    }

    /// <summary>
    /// A cache whose every database read throws <see cref="InvalidOperationException"/>; subscribing works. The first read
    /// is the start's, the second the loop's first round (which fails), the third the round after it.
    /// </summary>
    public class ThrowingCache : DispatchProxy
    {
        private int _reads;

        public TaskCompletionSource ReadAfterTheFailure { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            nameof(IConnectionMultiplexer.GetDatabase) => Refuse(),
            nameof(IConnectionMultiplexer.GetSubscriber) => DispatchProxy.Create<ISubscriber, AcceptingSubscriber>(),
            _ => null,
        };

        private object Refuse()
        {
            var read = Interlocked.Increment(ref _reads);
            if (read == 3)
            {
                ReadAfterTheFailure.TrySetResult();
            }

            throw new InvalidOperationException($"read {read} refused");
        }
    }

    public class AcceptingSubscriber : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.ReturnType == typeof(Task) ? Task.CompletedTask : null;
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
