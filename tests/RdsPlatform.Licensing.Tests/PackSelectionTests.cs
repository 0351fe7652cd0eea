namespace RdsPlatform.Licensing.Tests;

public class PackSelectionTests
{
    private static KeyPackSnapshot Pack(ProductVersion version, int installed = 10, int occupied = 0, CalType type = CalType.PerDevice, int installedDay = 0) =>
        new(Guid.NewGuid(), version, type, installed, occupied, At.Day(installedDay));

    [Fact]
    public void LowestCompatibleVersionWithAFreeCalIsChosen()
    {
        var p2016 = Pack(ProductVersion.WindowsServer2016);
        var p2022 = Pack(ProductVersion.WindowsServer2022);
        var p2025 = Pack(ProductVersion.WindowsServer2025);

        var chosen = PackSelection.Choose([p2025, p2016, p2022], CalType.PerDevice, ProductVersion.WindowsServer2019, preventUpgrade: false);

        Assert.Same(p2022, chosen);
    }

    [Fact]
    public void PackWithoutAFreeCalIsSkipped()
    {
        var full = Pack(ProductVersion.WindowsServer2019, installed: 3, occupied: 3);
        var newer = Pack(ProductVersion.WindowsServer2022);

        Assert.Same(newer, PackSelection.Choose([full, newer], CalType.PerDevice, ProductVersion.WindowsServer2019, false));
        Assert.Null(PackSelection.Choose([full], CalType.PerDevice, ProductVersion.WindowsServer2019, false));
    }

    [Fact]
    public void PreventLicenseUpgradeIssuesOnlyTheExactVersion()
    {
        var exact = Pack(ProductVersion.WindowsServer2019);
        var newer = Pack(ProductVersion.WindowsServer2022);

        Assert.Same(exact, PackSelection.Choose([newer, exact], CalType.PerDevice, ProductVersion.WindowsServer2019, preventUpgrade: true));
        Assert.Null(PackSelection.Choose([newer], CalType.PerDevice, ProductVersion.WindowsServer2019, preventUpgrade: true));
    }

    [Fact]
    public void OlderCalsNeverServeANewerHost() =>
        Assert.Null(PackSelection.Choose([Pack(ProductVersion.WindowsServer2016), Pack(ProductVersion.WindowsServer2019)], CalType.PerDevice, ProductVersion.WindowsServer2022, false));

    [Fact]
    public void PacksOfTheOtherCalTypeAreIgnored() =>
        Assert.Null(PackSelection.Choose([Pack(ProductVersion.WindowsServer2022, type: CalType.PerUser)], CalType.PerDevice, ProductVersion.WindowsServer2022, false));

    [Fact]
    public void EqualVersionsDrawFromTheOldestInstallationFirst()
    {
        var older = Pack(ProductVersion.WindowsServer2022, installedDay: 1);
        var newer = Pack(ProductVersion.WindowsServer2022, installedDay: 5);

        Assert.Same(older, PackSelection.Choose([newer, older], CalType.PerDevice, ProductVersion.WindowsServer2022, false));
    }

    [Fact]
    public void IssuanceUsesTheChosenPackAndItsVersion()
    {
        var server = new LicenseServerSimulator();
        server.AddPack(ProductVersion.WindowsServer2025, CalType.PerDevice, 5, At.T0);
        var p2022 = server.AddPack(ProductVersion.WindowsServer2022, CalType.PerDevice, 5, At.T0);
        var temp = server.Request(CalType.PerDevice, "HW", ProductVersion.WindowsServer2019, At.T0, new Random(1)).Cal!;
        server.Validate(temp.LicenseId);

        var outcome = server.Request(CalType.PerDevice, "HW", ProductVersion.WindowsServer2019, At.T0, new Random(1));

        Assert.Equal(p2022, outcome.Cal!.KeyPackId);
        Assert.Equal(ProductVersion.WindowsServer2022, outcome.Cal.Version);
    }

    [Fact]
    public void KeyPackSnapshotNeverReportsNegativeFreeCals() =>
        Assert.Equal(0, Pack(ProductVersion.WindowsServer2022, installed: 2, occupied: 5).Free);
}
