namespace RdsPlatform.Cli.Tests;

public sealed class ClockCommandTests
{
    [Fact]
    public async Task AdvancingSimulatedTimeMovesEveryServiceAndTheGracePeriod()
    {
        await using var farm = new CliFarm(simulatedClock: true);
        await farm.RunOkAsync("host", "configure", "rdsh-01", "--version", "2022", "--mode", "per-device", "--server", "license-server");

        var before = (await farm.RunOkAsync("clock", "show", "--json")).Json();
        Assert.Equal(3, before.GetArrayLength());
        Assert.All(before.EnumerateArray(), s =>
        {
            Assert.True(s.GetProperty("reachable").GetBoolean());
            Assert.Equal("Simulated", s.GetProperty("mode").GetString());
        });

        var advanced = await farm.RunOkAsync("clock", "advance", "30d");
        Assert.Contains("Simulated time advanced by 30d", advanced.Out);
        Assert.Equal("", advanced.Error);

        var after = (await farm.RunOkAsync("clock", "show", "--json")).Json();
        Assert.All(after.EnumerateArray(), s => Assert.Equal(TimeSpan.FromDays(30).TotalSeconds, s.GetProperty("offsetSeconds").GetDouble()));
        var grace = (await farm.RunOkAsync("host", "grace", "rdsh-01", "--json")).Json();
        Assert.Equal(90, grace.GetProperty("daysLeft").GetInt32());
    }

    [Fact]
    public async Task CombinedDurationsAddUp()
    {
        await using var farm = new CliFarm(simulatedClock: true);

        var result = await farm.RunOkAsync("clock", "advance", "1d12h", "--json");

        Assert.All(result.Json().EnumerateArray(), s => Assert.Equal(TimeSpan.FromHours(36).TotalSeconds, s.GetProperty("offsetSeconds").GetDouble()));
    }

    [Fact]
    public async Task AdvanceIsRefusedOnTheSystemClock()
    {
        await using var farm = new CliFarm();

        var result = await farm.RunAsync("clock", "advance", "1d");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: FailedPrecondition: This service runs on the system clock", result.Error);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("3 days")]
    [InlineData("0d")]
    [InlineData("-5h")]
    public async Task UnreadableOrZeroDurationsAreUsageErrors(string duration)
    {
        await using var farm = new CliFarm();

        var result = await farm.RunAsync("clock", "advance", duration);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
    }
}
