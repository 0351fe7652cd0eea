using RdsPlatform.Testing;
namespace RdsPlatform.Cli.Tests;

public sealed class LicenseCommandTests
{
    [Fact]
    public async Task ListShowsIssuedCalsAndFilters()
    {
        await using var farm = new CliFarm();
        await farm.RunOkAsync("host", "configure", "rdsh-01", "--version", "2022", "--mode", "per-device", "--server", "license-server");
        await farm.RunOkAsync("host", "connect", "--api-key", TestKeys.Client, "rdsh-01", "--hardware-id", "HW-0001", "--user", "CONTOSO\\alice");
        await farm.RunOkAsync("host", "connect", "--api-key", TestKeys.Client, "rdsh-01", "--hardware-id", "HW-0002", "--user", "CONTOSO\\bob");

        var all = (await farm.RunOkAsync("license", "list", "--json")).Json();
        Assert.Equal(2, all.GetArrayLength());
        Assert.All(all.EnumerateArray(), l => Assert.Equal("CAL_STATUS_TEMPORARY", l.GetProperty("status").GetString()));

        var one = (await farm.RunOkAsync("license", "list", "--subject", "HW-0002", "--json")).Json();
        Assert.Equal("HW-0002", Assert.Single(one.EnumerateArray()).GetProperty("subject").GetString());

        var table = await farm.RunOkAsync("license", "list", "--type", "per-device");
        Assert.Contains("HW-0001", table.Out);
        Assert.Contains("2 CAL(s).", table.Out);

        var none = await farm.RunOkAsync("license", "list", "--status", "permanent");
        Assert.Contains("No issued CALs match.", none.Out);
    }

    [Fact]
    public async Task RevokeFreesAPermanentCalAndSaysHowManyMoreMayGo()
    {
        await using var farm = new CliFarm();
        await farm.RunOkAsync("host", "configure", "rdsh-01", "--version", "2022", "--mode", "per-device", "--server", "license-server");
        await farm.ActivateAsync();
        await farm.InstallAsync("per-device", "2022", 10);
        var certificate = farm.TempPath("hw.cal");
        await farm.RunOkAsync("host", "connect", "--api-key", TestKeys.Client, "rdsh-01", "--hardware-id", "HW-0001", "--user", "CONTOSO\\alice", "--certificate", certificate, "--sign-in");
        await farm.RunOkAsync("host", "connect", "--api-key", TestKeys.Client, "rdsh-01", "--hardware-id", "HW-0001", "--user", "CONTOSO\\alice", "--certificate", certificate);
        var permanent = Assert.Single((await farm.RunOkAsync("license", "list", "--status", "permanent", "--json")).Json().EnumerateArray());
        var id = permanent.GetProperty("licenseId").GetString()!;

        var revoked = await farm.RunOkAsync("license", "revoke", id);

        Assert.Contains($"Revoked CAL {id} of HW-0001; its seat is free again.", revoked.Out);
        Assert.Contains("1 more 2022 CAL(s) may be revoked now.", revoked.Out);
        var again = await farm.RunAsync("license", "revoke", id);
        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith("error: ", again.Error);
    }

    [Fact]
    public async Task RevokingAnUnknownCalIsNotFound()
    {
        await using var farm = new CliFarm();

        var result = await farm.RunAsync("license", "revoke", "no-such-license");

        Assert.Equal(1, result.ExitCode);
        Assert.Matches("^error: (NotFound|InvalidArgument): ", result.Error);
    }
}
