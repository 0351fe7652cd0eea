namespace RdsPlatform.Licensing.Tests;

/// <summary>R8 with R3 and "no Per Device leakage": a revoked CAL is history, and its device starts over as a new device would.</summary>
public class RevokedDeviceTests
{
    private const string Device = "HW-0001";
    private static readonly ProductVersion Host = ProductVersion.WindowsServer2022;

    [Fact]
    public void RevokedDeviceIsIssuedOneNewTemporaryCalAndGetsThatOneBack()
    {
        var server = new LicenseServerSimulator();
        var revoked = RevokedPermanent(server);

        var fresh = server.Request(CalType.PerDevice, Device, Host, At.Day(5), new Random(1));
        var again = server.Request(CalType.PerDevice, Device, Host, At.Day(6), new Random(1));

        Assert.Equal(IssuanceKind.Issue, fresh.Kind);
        Assert.Equal(ReasonCode.TemporaryCalIssued, fresh.Reason);
        Assert.NotEqual(revoked, fresh.Cal!.LicenseId);
        Assert.Equal(CalStatus.Temporary, fresh.Cal.Status);
        Assert.Equal(At.Day(95), fresh.Cal.ExpiresAt);
        Assert.Equal(IssuanceKind.Reuse, again.Kind);
        Assert.Equal(fresh.Cal.LicenseId, again.Cal!.LicenseId);
        Assert.Equal(CalStatus.Revoked, server.Cals[revoked].Status);
        Assert.Equal(2, server.Cals.Count);
    }

    [Fact]
    public void RevokedDevicesNewTemporaryCalIsNeverIssuedTwice()
    {
        var server = new LicenseServerSimulator();
        RevokedPermanent(server);
        server.Request(CalType.PerDevice, Device, Host, At.Day(5), new Random(1));

        var afterExpiry = server.Request(CalType.PerDevice, Device, Host, At.Day(200), new Random(1));

        Assert.Equal(IssuanceKind.Refuse, afterExpiry.Kind);
        Assert.Equal(ReasonCode.NoLicensesAvailable, afterExpiry.Reason);
        Assert.Equal(2, server.Cals.Count);
    }

    [Fact]
    public void RevokedDevicesNewTemporaryCalIsUpgradedIntoTheSeatTheRevocationFreed()
    {
        var server = new LicenseServerSimulator();
        RevokedPermanent(server);
        var fresh = server.Request(CalType.PerDevice, Device, Host, At.Day(5), new Random(1)).Cal!;
        server.Validate(fresh.LicenseId);

        var upgraded = server.Request(CalType.PerDevice, Device, Host, At.Day(6), new Random(1));

        Assert.Equal(ReasonCode.CalUpgraded, upgraded.Reason);
        Assert.Equal(fresh.LicenseId, upgraded.Cal!.LicenseId);
        Assert.Equal(1, server.Occupied(server.Packs[0].Id, At.Day(6)));
    }

    /// <summary>The device's CAL, upgraded into a seat of a 5-seat pack (revoke cap 1) and revoked on day 4; returns its id.</summary>
    private static Guid RevokedPermanent(LicenseServerSimulator server)
    {
        server.AddPack(Host, CalType.PerDevice, 5, At.T0);
        var temporary = server.Request(CalType.PerDevice, Device, Host, At.T0, new Random(1)).Cal!;
        server.Validate(temporary.LicenseId);
        var permanent = server.Request(CalType.PerDevice, Device, Host, At.Day(1), new Random(1));
        Assert.Equal(ReasonCode.CalUpgraded, permanent.Reason);
        Assert.True(server.Revoke(temporary.LicenseId, At.Day(4)).Allowed);
        Assert.Equal(0, server.Occupied(server.Packs[0].Id, At.Day(4)));
        return temporary.LicenseId;
    }
}
