using RdsPlatform.Cli.Infrastructure;
using RdsPlatform.Shared;

namespace RdsPlatform.Cli.Tests;

public sealed class DurationTests
{
    [Theory]
    [InlineData("30d", 30 * 24 * 3600)]
    [InlineData("12h", 12 * 3600)]
    [InlineData("90m", 90 * 60)]
    [InlineData("3600s", 3600)]
    [InlineData("1d12h", 36 * 3600)]
    [InlineData(" 2D ", 2 * 24 * 3600)]
    [InlineData("1.5h", 90 * 60)]
    public void AdministratorDurationsParse(string text, int seconds)
    {
        Assert.True(DurationText.TryParse(text, bareNumberIsSeconds: false, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("d")]
    [InlineData("5w")]
    [InlineData("-1d")]
    [InlineData("1d 2h")]
    public void AnythingElseIsNotADuration(string text) => Assert.False(DurationText.TryParse(text, bareNumberIsSeconds: false, out _));

    [Fact]
    public void DurationsPrintShort()
    {
        Assert.Equal("30d", Durations.Format(TimeSpan.FromDays(30)));
        Assert.Equal("1d 12h", Durations.Format(TimeSpan.FromHours(36)));
        Assert.Equal("0s", Durations.Format(TimeSpan.Zero));
    }
}
