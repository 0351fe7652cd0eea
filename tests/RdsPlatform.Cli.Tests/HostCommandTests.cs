using RdsPlatform.Testing;
namespace RdsPlatform.Cli.Tests;

public sealed class HostCommandTests
{
    [Fact]
    public async Task ConfigureRegistersAHostWhoseGracePeriodStarts()
    {
        await using var farm = new CliFarm();

        var configured = await farm.RunOkAsync("host", "configure", "rdsh-01", "--version", "2022", "--mode", "per-device", "--server", "license-server");
        Assert.Contains("Registered session host rdsh-01; its grace period has started.", configured.Out);

        var shown = (await farm.RunOkAsync("host", "show", "rdsh-01", "--json")).Json().GetProperty("host");
        Assert.Equal("PRODUCT_VERSION_2022", shown.GetProperty("version").GetString());
        Assert.Equal("LICENSING_MODE_PER_DEVICE", shown.GetProperty("licensingMode").GetString());
        Assert.Equal("license-server", shown.GetProperty("licenseServers")[0].GetString());

        var grace = await farm.RunOkAsync("host", "grace", "rdsh-01");
        Assert.Contains("is in its grace period: 120 day(s) left", grace.Out);
        farm.Time.Advance(TimeSpan.FromDays(30));
        var later = (await farm.RunOkAsync("host", "grace", "rdsh-01", "--json")).Json();
        Assert.Equal(90, later.GetProperty("daysLeft").GetInt32());
        Assert.True(later.GetProperty("inGrace").GetBoolean());
    }

    [Fact]
    public async Task ReconfiguringKeepsTheSettingsNotGiven()
    {
        await using var farm = new CliFarm();
        await farm.RunOkAsync("host", "configure", "rdsh-01", "--version", "2019", "--mode", "per-device", "--server", "license-server", "--prevent-upgrade");

        var updated = await farm.RunOkAsync("host", "configure", "rdsh-01", "--mode", "per-user");

        Assert.Contains("Updated session host rdsh-01.", updated.Out);
        var host = (await farm.RunOkAsync("host", "show", "rdsh-01", "--json")).Json().GetProperty("host");
        Assert.Equal("LICENSING_MODE_PER_USER", host.GetProperty("licensingMode").GetString());
        Assert.Equal("PRODUCT_VERSION_2019", host.GetProperty("version").GetString());
        Assert.Equal("license-server", host.GetProperty("licenseServers")[0].GetString());
        Assert.True(host.GetProperty("preventLicenseUpgrade").GetBoolean());
    }

    [Fact]
    public async Task ANewHostWithoutAVersionIsRefusedNamingTheField()
    {
        await using var farm = new CliFarm();

        var result = await farm.RunAsync("host", "configure", "rdsh-01", "--mode", "per-device");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: InvalidArgument: ", result.Error);
        Assert.Contains("  - version: ", result.Error);
    }

    [Fact]
    public async Task UnknownHostIsNotFound()
    {
        await using var farm = new CliFarm();

        var show = await farm.RunAsync("host", "show", "rdsh-99");
        var grace = await farm.RunAsync("host", "grace", "rdsh-99");

        Assert.Equal(1, show.ExitCode);
        Assert.StartsWith("error: NotFound: ", show.Error);
        Assert.Equal(1, grace.ExitCode);
        Assert.StartsWith("error: NotFound: ", grace.Error);
    }

    [Fact]
    public async Task MissingHostIdIsAUsageError()
    {
        await using var farm = new CliFarm();

        var result = await farm.RunAsync("host", "show");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing required argument 'HOST_ID'", result.Error);
    }

    [Fact]
    public async Task DiagnoseFindsAMisconfiguredHost()
    {
        await using var farm = new CliFarm();
        await farm.RunOkAsync("host", "configure", "rdsh-02", "--version", "2022", "--mode", "not-configured", "--server", "http://old-license-server:5101");

        var table = await farm.RunAsync("host", "diagnose", "rdsh-02");
        Assert.Equal(5, table.ExitCode);
        Assert.Contains("MODE_NOT_CONFIGURED", table.Out);
        Assert.Contains("LICENSE_SERVER_UNREACHABLE", table.Out);

        var errors = await farm.RunAsync("host", "diagnose", "rdsh-02", "--json");
        Assert.Equal(5, errors.ExitCode);
        var json = errors.Json();
        Assert.Equal("SEVERITY_ERROR", json.GetProperty("overall").GetString());
        var codes = json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()).ToList();
        Assert.Contains("LICENSE_SERVER_UNREACHABLE", codes);

        await farm.ActivateAsync();
        await farm.InstallAsync("per-device", "2022", 10);
        await farm.RunOkAsync("host", "configure", "rdsh-02", "--mode", "per-device", "--server", "license-server");
        var fixedHost = (await farm.RunOkAsync("host", "diagnose", "rdsh-02", "--json")).Json();
        Assert.Equal("SEVERITY_INFO", fixedHost.GetProperty("overall").GetString());
        var fixedCodes = fixedHost.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()).ToList();
        Assert.Contains("LICENSE_SERVER_REACHABLE", fixedCodes);
        Assert.Contains("COMPATIBLE_CALS_AVAILABLE", fixedCodes);
    }

    [Fact]
    public async Task ConnectSimulatesAClientKeepingItsCertificate()
    {
        await using var farm = new CliFarm();
        await farm.RunOkAsync("host", "configure", "rdsh-01", "--version", "2022", "--mode", "per-device", "--server", "license-server");
        await farm.ActivateAsync();
        await farm.InstallAsync("per-device", "2022", 10);
        var certificate = farm.TempPath("hw-0001.cal");

        var first = await farm.RunOkAsync("host", "connect", "--api-key", TestKeys.Client, "rdsh-01", "--hardware-id", "HW-0001", "--computer-name", "PC-0001",
            "--user", "CONTOSO\\alice", "--certificate", certificate, "--sign-in");
        Assert.Contains("Admitted (Temporary Cal Issued)", first.Out);
        Assert.Contains($"saved to {certificate}", first.Out);
        Assert.Contains("Signed in", first.Out);
        Assert.True(File.Exists(certificate));

        var second = (await farm.RunOkAsync("host", "connect", "--api-key", TestKeys.Client, "rdsh-01", "--hardware-id", "HW-0001", "--user", "CONTOSO\\alice",
            "--certificate", certificate, "--json")).Json().GetProperty("connect");
        Assert.True(second.GetProperty("admitted").GetBoolean());
        Assert.Equal("REASON_CODE_CAL_UPGRADED", second.GetProperty("reason").GetString());
    }
}
