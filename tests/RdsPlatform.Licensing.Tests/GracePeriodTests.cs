namespace RdsPlatform.Licensing.Tests;

public class GracePeriodTests
{
    [Theory]
    [InlineData(0, 120, true)]
    [InlineData(1, 119, true)]
    [InlineData(119, 1, true)]
    [InlineData(120, 0, false)]
    [InlineData(121, 0, false)]
    public void GracePeriodLastsOneHundredTwentyDays(int day, int daysLeft, bool active)
    {
        var clock = At.Clock();
        clock.Advance(TimeSpan.FromDays(day));

        Assert.Equal(daysLeft, GracePeriod.DaysLeft(At.T0, clock));
        Assert.Equal(active, GracePeriod.IsActive(At.T0, clock.GetUtcNow()));
    }

    [Fact]
    public void PartialLastDayStillCountsAsOneDayLeft()
    {
        var clock = At.Clock();
        clock.Advance(TimeSpan.FromDays(119.75));

        Assert.Equal(1, GracePeriod.DaysLeft(At.T0, clock));
        Assert.Equal(At.Day(120), GracePeriod.EndsAt(At.T0));
    }

    [Fact]
    public void GraceStartInTheFutureNeverReportsMoreThanOneHundredTwentyDays() =>
        Assert.Equal(120, GracePeriod.DaysLeft(At.Day(10), At.T0));
}
