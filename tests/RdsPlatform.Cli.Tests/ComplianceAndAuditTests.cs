using RdsPlatform.Testing;
namespace RdsPlatform.Cli.Tests;

public sealed class ComplianceAndAuditTests
{
    [Fact]
    public async Task ComplianceShowsEachPoolAndFlagsOverUse()
    {
        await using var farm = new CliFarm();
        await farm.ActivateAsync();
        await farm.InstallAsync("per-user", "2022", 1);
        await farm.RunOkAsync("host", "configure", "rdsh-01", "--version", "2022", "--mode", "per-user", "--server", "license-server");
        await farm.RunOkAsync("host", "connect", "--api-key", TestKeys.Client, "rdsh-01", "--hardware-id", "HW-1", "--user", "CONTOSO\\alice", "--sign-in");
        await farm.RunOkAsync("host", "connect", "--api-key", TestKeys.Client, "rdsh-01", "--hardware-id", "HW-2", "--user", "CONTOSO\\bob", "--sign-in");

        var json = (await farm.RunOkAsync("compliance", "--json")).Json();
        Assert.True(json.GetProperty("overUsed").GetBoolean());
        var pool = json.GetProperty("pools").EnumerateArray().Single(p => p.GetProperty("calType").GetString() == "CAL_TYPE_PER_USER");
        Assert.Equal("1", pool.GetProperty("installed").GetString());
        Assert.NotEqual(0, json.GetProperty("warnings").GetArrayLength());

        var table = await farm.RunOkAsync("compliance");
        Assert.Contains("attention needed (over-used pools)", table.Out);
        Assert.Contains("warning: ", table.Out);
    }

    [Fact]
    public async Task AuditShowsEventsFiltersByTypeAndResumes()
    {
        await using var farm = new CliFarm();
        await farm.ActivateAsync();
        var pack = await farm.InstallAsync("per-device", "2022", 5);

        var all = (await farm.RunOkAsync("audit", "--json")).Json();
        Assert.True(all.GetArrayLength() >= 2);

        var installs = (await farm.RunOkAsync("audit", "--type", "key-pack-installed", "--json")).Json();
        var install = Assert.Single(installs.EnumerateArray());
        Assert.Equal(pack, install.GetProperty("keyPackId").GetString());

        var last = all[all.GetArrayLength() - 1].GetProperty("sequence").GetString()!;
        Assert.Equal(0, (await farm.RunOkAsync("audit", "--after", last, "--json")).Json().GetArrayLength());

        var table = await farm.RunOkAsync("audit");
        Assert.Contains("Key Pack Installed", table.Out);
        Assert.Contains($"resume with --after {last}", table.Out);
    }

    [Fact]
    public async Task UnknownAuditTypeIsAUsageError()
    {
        await using var farm = new CliFarm();

        var result = await farm.RunAsync("audit", "--type", "coffee-brewed");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--type 'coffee-brewed' is not one of:", result.Error);
        Assert.Contains("license-issued", result.Error);
    }
}
