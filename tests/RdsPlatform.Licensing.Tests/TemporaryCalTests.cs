namespace RdsPlatform.Licensing.Tests;

public class TemporaryCalTests
{
    private const string Device = "HW-0001";
    private static readonly ProductVersion Host = ProductVersion.WindowsServer2022;

    [Fact]
    public void FirstRequestGetsTemporaryCalValidNinetyDays()
    {
        var server = new LicenseServerSimulator();

        var outcome = server.Request(CalType.PerDevice, Device, Host, At.T0, new Random(1));

        Assert.Equal(IssuanceKind.Issue, outcome.Kind);
        Assert.Equal(ReasonCode.TemporaryCalIssued, outcome.Reason);
        Assert.Equal(CalStatus.Temporary, outcome.Cal!.Status);
        Assert.Equal(Host, outcome.Cal.Version);
        Assert.Null(outcome.Cal.KeyPackId);
        Assert.Equal(At.Day(90), outcome.Cal.ExpiresAt);
    }

    [Fact]
    public void UnactivatedServerIssuesTemporaryCal()
    {
        var server = new LicenseServerSimulator(activated: false);

        var outcome = server.Request(CalType.PerDevice, Device, Host, At.T0, new Random(1));

        Assert.Equal(ReasonCode.TemporaryCalIssued, outcome.Reason);
    }

    [Fact]
    public void DeviceThatLostItsCertificateGetsItsOwnTemporaryCalBack()
    {
        var server = new LicenseServerSimulator();
        var first = server.Request(CalType.PerDevice, Device, Host, At.T0, new Random(1));

        var again = server.Request(CalType.PerDevice, Device, Host, At.Day(3), new Random(1));

        Assert.Equal(IssuanceKind.Reuse, again.Kind);
        Assert.Equal(first.Cal!.LicenseId, again.Cal!.LicenseId);
        Assert.Single(server.Cals);
    }

    [Theory]
    [InlineData(89, false)]
    [InlineData(90, true)]
    [InlineData(91, true)]
    public void TemporaryCalExpiresAfterNinetyDays(int day, bool expired)
    {
        var server = new LicenseServerSimulator();
        var clock = At.Clock();
        var issued = server.Request(CalType.PerDevice, Device, Host, clock.GetUtcNow(), new Random(1)).Cal!;
        clock.Advance(TimeSpan.FromDays(day));

        var outcome = server.Request(CalType.PerDevice, Device, Host, clock.GetUtcNow(), new Random(1));

        Assert.Equal(expired, issued.IsExpiredAt(clock.GetUtcNow()));
        Assert.Equal(expired ? CalStatus.Expired : CalStatus.Temporary, issued.StatusAt(clock.GetUtcNow()));
        Assert.Equal(expired ? IssuanceKind.Refuse : IssuanceKind.Reuse, outcome.Kind);
        Assert.Equal(expired ? ReasonCode.NoLicensesAvailable : ReasonCode.ValidCal, outcome.Reason);
    }

    [Fact]
    public void ExpiredTemporaryCalIsNeverIssuedTwice()
    {
        var server = new LicenseServerSimulator();
        server.Request(CalType.PerDevice, Device, Host, At.T0, new Random(1));

        var afterExpiry = server.Request(CalType.PerDevice, Device, Host, At.Day(200), new Random(1));

        Assert.Equal(IssuanceKind.Refuse, afterExpiry.Kind);
        Assert.Contains("one temporary license", afterExpiry.Message, StringComparison.Ordinal);
        Assert.Single(server.Cals);
    }

    [Fact]
    public void ExpiredTemporaryCalIsUpgradedWhenALicenseIsInstalledLater()
    {
        var server = new LicenseServerSimulator();
        var temp = server.Request(CalType.PerDevice, Device, Host, At.T0, new Random(1)).Cal!;
        server.Validate(temp.LicenseId);
        server.Request(CalType.PerDevice, Device, Host, At.Day(95), new Random(1));
        server.AddPack(Host, CalType.PerDevice, 5, At.Day(96));

        var outcome = server.Request(CalType.PerDevice, Device, Host, At.Day(97), new Random(1));

        Assert.Equal(ReasonCode.CalUpgraded, outcome.Reason);
        Assert.Equal(temp.LicenseId, outcome.Cal!.LicenseId);
    }

    [Fact]
    public void NewerHostGetsItsOwnTemporaryCalBecauseOlderCalCannotServeIt()
    {
        var server = new LicenseServerSimulator();
        server.Request(CalType.PerDevice, Device, ProductVersion.WindowsServer2019, At.T0, new Random(1));

        var outcome = server.Request(CalType.PerDevice, Device, ProductVersion.WindowsServer2025, At.Day(1), new Random(1));

        Assert.Equal(ReasonCode.TemporaryCalIssued, outcome.Reason);
        Assert.Equal(ProductVersion.WindowsServer2025, outcome.Cal!.Version);
        Assert.Equal(2, server.Cals.Count);
    }

    [Fact]
    public void MalformedRequestIsRefusedWithoutThrowing()
    {
        var snapshot = new IssuanceSnapshot(true, [], []);

        Assert.Equal(ReasonCode.InvalidInput, IssuancePolicy.Decide(snapshot, new LicenseRequest((CalType)0, Device, Host), At.T0, new Random(1)).Reason);
        Assert.Equal(ReasonCode.InvalidInput, IssuancePolicy.Decide(snapshot, new LicenseRequest(CalType.PerDevice, " ", Host), At.T0, new Random(1)).Reason);
        Assert.Equal(ReasonCode.InvalidInput, IssuancePolicy.Decide(snapshot, new LicenseRequest(CalType.PerDevice, Device, (ProductVersion)2012), At.T0, new Random(1)).Reason);
    }
}
