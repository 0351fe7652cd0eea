using RdsPlatform.LoadTest.Cli;
using RdsPlatform.Shared;

namespace RdsPlatform.LoadTest.Tests;

public sealed class DurationParsingTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2h", 7_200_000)]
    [InlineData("250us", 0.25)]
    [InlineData("7", 7_000)]
    public void GhzStyleDurationsAreReadAsTheyAreWritten(string text, double milliseconds)
    {
        Assert.True(DurationText.TryParse(text, bareNumberIsSeconds: true, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds, 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ten seconds")]
    [InlineData("10x")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("1..5s")]
    public void MalformedDurationsAreRefused(string text) => Assert.False(DurationText.TryParse(text, bareNumberIsSeconds: true, out _));

    [Fact]
    public void AMalformedDurationOptionSaysWhatToWrite()
    {
        var arguments = Arguments.Parse(["run", "--duration", "soon"]);

        var problem = Assert.Throws<UsageException>(() => arguments.Duration("duration"));

        Assert.Contains("--duration must be a duration such as 500ms, 10s, 1m or 1m30s", problem.Message);
    }

    [Fact]
    public void AnUnknownOptionIsRefusedInsteadOfIgnored()
    {
        var arguments = Arguments.Parse(["run", "--scenario", "health", "--concurrancy", "5"]);
        arguments.Get("scenario");

        var problem = Assert.Throws<UsageException>(arguments.ThrowOnUnused);

        Assert.Contains("--concurrancy", problem.Message);
    }

    [Fact]
    public void OptionsTakeSpacedOrEqualsValuesAndBareFlags()
    {
        var arguments = Arguments.Parse(["run", "--total=100", "--json", "--concurrency", "8"]);

        Assert.Equal(100, arguments.Int("total", 0));
        Assert.Equal(8, arguments.Int("concurrency", 50));
        Assert.True(arguments.Flag("json"));
        Assert.False(arguments.Flag("past-grace"));
    }
}
