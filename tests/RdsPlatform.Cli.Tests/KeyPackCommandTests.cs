namespace RdsPlatform.Cli.Tests;

public sealed class KeyPackCommandTests
{
    [Fact]
    public async Task InstalledPackIsListedWithItsCounts()
    {
        await using var farm = new CliFarm();

        var installed = await farm.RunOkAsync("keypack", "install", "--code", CliFarm.NewRetailCode(), "--version", "2022", "--type", "per-device", "--count", "50");
        Assert.Contains("Installed key pack", installed.Out);
        Assert.Contains("50 Per Device CALs, version 2022", installed.Out);

        var list = (await farm.RunOkAsync("keypack", "list", "--json")).Json().GetProperty("keyPacks");
        var pack = Assert.Single(list.EnumerateArray());
        Assert.Equal("KEY_PACK_PROGRAM_RETAIL", pack.GetProperty("program").GetString());
        Assert.Equal("PRODUCT_VERSION_2022", pack.GetProperty("productVersion").GetString());
        Assert.Equal(50, pack.GetProperty("available").GetInt32());
        Assert.Equal(0, pack.GetProperty("issued").GetInt32());

        var table = await farm.RunOkAsync("keypack", "list");
        Assert.Contains(pack.GetProperty("keyPackId").GetString()!, table.Out);
        Assert.Contains("Retail", table.Out);
    }

    [Fact]
    public async Task EmptyListSaysHowToInstall()
    {
        await using var farm = new CliFarm();

        var result = await farm.RunOkAsync("keypack", "list");

        Assert.Contains("No key packs are installed", result.Out);
        Assert.Equal(0, (await farm.RunOkAsync("keypack", "list", "--json")).Json().GetProperty("keyPacks").GetArrayLength());
    }

    [Fact]
    public async Task MalformedCodeIsRefusedWithTheFieldThatIsWrong()
    {
        await using var farm = new CliFarm();

        var result = await farm.RunAsync("keypack", "install", "--code", "TOO-SHORT", "--version", "2022", "--type", "per-device", "--count", "5");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: InvalidArgument: ", result.Error);
        Assert.Contains("  - retail_code: ", result.Error);
    }

    [Fact]
    public async Task TheSameCodeIsInstalledOnlyOnce()
    {
        await using var farm = new CliFarm();
        var code = CliFarm.NewRetailCode();
        await farm.RunOkAsync("keypack", "install", "--code", code, "--version", "2022", "--type", "per-user", "--count", "5");

        var again = await farm.RunAsync("keypack", "install", "--code", code, "--version", "2022", "--type", "per-user", "--count", "5");

        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith("error: AlreadyExists: ", again.Error);
    }

    [Fact]
    public async Task UnknownCalTypeIsAUsageErrorListingTheChoices()
    {
        await using var farm = new CliFarm();

        var result = await farm.RunAsync("keypack", "install", "--code", CliFarm.NewRetailCode(), "--version", "2022", "--type", "per-seat", "--count", "5");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--type 'per-seat' is not one of: per-device, per-user.", result.Error);
    }

    [Fact]
    public async Task RemoveTakesUnissuedLicensesAndUninstallRemovesThePack()
    {
        await using var farm = new CliFarm();
        var id = await farm.InstallAsync("per-device", "2022", 20);

        var removed = await farm.RunOkAsync("keypack", "remove", id, "--count", "5", "--json");
        Assert.Equal(15, removed.Json().GetProperty("keyPack").GetProperty("available").GetInt32());

        var tooMany = await farm.RunAsync("keypack", "remove", id, "--count", "100");
        Assert.Equal(1, tooMany.ExitCode);
        Assert.StartsWith("error: ", tooMany.Error);

        var uninstalled = await farm.RunOkAsync("keypack", "uninstall", id);
        Assert.Contains($"Uninstalled key pack {id}.", uninstalled.Out);
        Assert.Equal(0, (await farm.RunOkAsync("keypack", "list", "--json")).Json().GetProperty("keyPacks").GetArrayLength());

        var missing = await farm.RunAsync("keypack", "uninstall", id);
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("error: NotFound: ", missing.Error);
    }
}
