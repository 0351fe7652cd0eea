using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RdsPlatform.ServiceDefaults.Security;

namespace RdsPlatform.Security.Tests;

/// <summary>The failed-authentication limit counts and forgives on the service's clock, so simulated time moves it.</summary>
public sealed class FailureLimitClockTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void AnAddressOverTheLimitWaitsTheWholeWindowCountedFromItsRefusal()
    {
        using var limiter = Limiter(limit: 2, window: TimeSpan.FromMinutes(1));
        limiter.RecordFailure("192.0.2.1");
        _time.Advance(TimeSpan.FromSeconds(50));
        limiter.RecordFailure("192.0.2.1");

        var refused = limiter.RecordFailure("192.0.2.1");
        _time.Advance(TimeSpan.FromSeconds(20));
        var stillRefused = limiter.RecordFailure("192.0.2.1");

        Assert.Equal(TimeSpan.FromMinutes(1), refused);
        Assert.Equal(TimeSpan.FromSeconds(40), stillRefused);
    }

    [Fact]
    public void AnAddressIsCountedAfreshOnceTheClockHasPassedItsRefusal()
    {
        using var limiter = Limiter(limit: 1, window: TimeSpan.FromHours(1));
        limiter.RecordFailure("192.0.2.1");
        var refused = limiter.RecordFailure("192.0.2.1");

        _time.Advance(TimeSpan.FromHours(1));
        var afterTheWindow = limiter.RecordFailure("192.0.2.1");

        Assert.NotNull(refused);
        Assert.Null(afterTheWindow);
    }

    [Fact]
    public void FailuresInAnEndedWindowDoNotCountTowardsTheNextOne()
    {
        using var limiter = Limiter(limit: 2, window: TimeSpan.FromMinutes(1));
        limiter.RecordFailure("192.0.2.1");
        limiter.RecordFailure("192.0.2.1");

        _time.Advance(TimeSpan.FromMinutes(2));
        var waits = Enumerable.Range(0, 2).Select(_ => limiter.RecordFailure("192.0.2.1")).ToList();

        Assert.All(waits, w => Assert.Null(w));
    }

    private AuthFailureLimiter Limiter(int limit, TimeSpan window) =>
        new(Options.Create(new AuthOptions { FailureLimit = limit, FailureWindow = window }), _time);
}
