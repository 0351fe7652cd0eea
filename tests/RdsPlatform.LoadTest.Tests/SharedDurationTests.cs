using RdsPlatform.Shared;

namespace RdsPlatform.LoadTest.Tests;

/// <summary>The one duration parser rdslic and rds-load share: the units of both tools, and the rules where they differ.</summary>
public sealed class SharedDurationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DaysAndMillisecondsAreUnderstoodByBothTools(bool bareNumberIsSeconds)
    {
        Assert.True(DurationText.TryParse("1d500ms", bareNumberIsSeconds, out var duration));
        Assert.Equal(TimeSpan.FromDays(1) + TimeSpan.FromMilliseconds(500), duration);
    }

    [Fact]
    public void ABareNumberIsSecondsOnlyForTheToolThatSaysSo()
    {
        Assert.True(DurationText.TryParse("30", bareNumberIsSeconds: true, out var seconds));
        Assert.Equal(TimeSpan.FromSeconds(30), seconds);
        Assert.False(DurationText.TryParse("30", bareNumberIsSeconds: false, out _));
        Assert.False(DurationText.TryParse("1m30", bareNumberIsSeconds: true, out _));
    }

    [Fact]
    public void UnitsAreReadInAnyCase()
    {
        Assert.True(DurationText.TryParse("1M30S", bareNumberIsSeconds: false, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(90), duration);
    }

    [Fact]
    public void AtMostAHundredThousandDaysAreAccepted()
    {
        Assert.True(DurationText.TryParse("100000d", bareNumberIsSeconds: false, out var longest));
        Assert.Equal(DurationText.Longest, longest);
        Assert.False(DurationText.TryParse("100001d", bareNumberIsSeconds: false, out _));
    }

    [Theory]
    [InlineData("1m 30s")]
    [InlineData(".5s")]
    [InlineData("1.s")]
    [InlineData("1e3")]
    public void PartsMustBeWholeNumbersOrDecimalsWithNothingBetweenThem(string text)
    {
        Assert.False(DurationText.TryParse(text, bareNumberIsSeconds: true, out _));
    }
}
