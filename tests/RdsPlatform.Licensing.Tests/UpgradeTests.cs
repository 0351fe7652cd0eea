namespace RdsPlatform.Licensing.Tests;

public class UpgradeTests
{
    private const string Device = "HW-0002";
    private static readonly ProductVersion Host = ProductVersion.WindowsServer2019;

    private static (LicenseServerSimulator Server, IssuedCal Temporary) DeviceWithTemporaryCal(bool validated, int installed = 1, bool activated = true)
    {
        var server = new LicenseServerSimulator(activated);
        if (installed > 0)
        {
            server.AddPack(Host, CalType.PerDevice, installed, At.T0);
        }

        var temp = server.Request(CalType.PerDevice, Device, Host, At.T0, new Random(7)).Cal!;
        if (validated)
        {
            server.Validate(temp.LicenseId);
        }

        return (server, temp);
    }

    [Fact]
    public void SignInMarksTemporaryCalValidated()
    {
        var (server, temp) = DeviceWithTemporaryCal(validated: false);

        var outcome = server.Validate(temp.LicenseId);
        var again = server.Validate(temp.LicenseId);

        Assert.Equal(ReasonCode.TemporaryCalValidated, outcome.Reason);
        Assert.True(server.Cals[temp.LicenseId].Validated);
        Assert.Equal(IssuanceKind.Reuse, again.Kind);
    }

    [Fact]
    public void ValidatedTemporaryCalUpgradesToPermanentAtNextConnection()
    {
        var (server, temp) = DeviceWithTemporaryCal(validated: true);

        var outcome = server.Request(CalType.PerDevice, Device, Host, At.Day(1), new Random(7));

        Assert.Equal(IssuanceKind.Update, outcome.Kind);
        Assert.Equal(ReasonCode.CalUpgraded, outcome.Reason);
        var cal = outcome.Cal!;
        Assert.Equal(temp.LicenseId, cal.LicenseId);
        Assert.Equal(CalStatus.Permanent, cal.Status);
        Assert.Equal(server.Packs[0].Id, cal.KeyPackId);
        Assert.Equal(cal.KeyPackId, outcome.SeatTakenFrom);
        Assert.InRange((cal.ExpiresAt - At.Day(1)).TotalDays, 52, 89);
    }

    [Fact]
    public void UnvalidatedTemporaryCalIsNotUpgraded()
    {
        var (server, _) = DeviceWithTemporaryCal(validated: false);

        var outcome = server.Request(CalType.PerDevice, Device, Host, At.Day(1), new Random(7));

        Assert.Equal(IssuanceKind.Reuse, outcome.Kind);
        Assert.Equal(CalStatus.Temporary, outcome.Cal!.Status);
    }

    [Fact]
    public void UnactivatedServerKeepsTheTemporaryCal()
    {
        var (server, _) = DeviceWithTemporaryCal(validated: true, activated: false);

        var outcome = server.Request(CalType.PerDevice, Device, Host, At.Day(1), new Random(7));

        Assert.Equal(CalStatus.Temporary, outcome.Cal!.Status);
        Assert.Contains("not activated", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TemporaryCalContinuesWhenNoPerDeviceLicenseIsFree()
    {
        var (server, _) = DeviceWithTemporaryCal(validated: true, installed: 0);

        var outcome = server.Request(CalType.PerDevice, Device, Host, At.Day(1), new Random(7));

        Assert.Equal(IssuanceKind.Reuse, outcome.Kind);
        Assert.Contains("continues until its 90 days end", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeTakesNoSeatThatIsAlreadyIssued()
    {
        var (server, _) = DeviceWithTemporaryCal(validated: true, installed: 1);
        server.Request(CalType.PerDevice, Device, Host, At.Day(1), new Random(7));
        var other = server.Request(CalType.PerDevice, "HW-OTHER", Host, At.Day(1), new Random(7)).Cal!;
        server.Validate(other.LicenseId);

        var outcome = server.Request(CalType.PerDevice, "HW-OTHER", Host, At.Day(2), new Random(7));

        Assert.Equal(CalStatus.Temporary, outcome.Cal!.Status);
        Assert.Equal(1, server.Occupied(server.Packs[0].Id, At.Day(2)));
    }

    [Fact]
    public void UpgradeNeverGivesADeviceASecondCalOfOneVersion()
    {
        var server = new LicenseServerSimulator();
        server.AddPack(ProductVersion.WindowsServer2022, CalType.PerDevice, 5, At.T0);
        var old = server.Request(CalType.PerDevice, Device, ProductVersion.WindowsServer2019, At.T0, new Random(7)).Cal!;
        server.Request(CalType.PerDevice, Device, ProductVersion.WindowsServer2022, At.T0, new Random(7));
        server.Validate(old.LicenseId);

        var outcome = server.Request(CalType.PerDevice, Device, ProductVersion.WindowsServer2019, At.Day(1), new Random(7));

        Assert.Equal(CalStatus.Temporary, outcome.Cal!.Status);
        Assert.Equal(ProductVersion.WindowsServer2019, outcome.Cal.Version);
    }
}
