namespace RdsPlatform.Licensing.Tests;

public class RenewalTests
{
    private const string Device = "HW-0003";
    private static readonly ProductVersion Host = ProductVersion.WindowsServer2022;

    private static (LicenseServerSimulator Server, IssuedCal Permanent) DeviceWithPermanentCal(int installed = 1)
    {
        var server = new LicenseServerSimulator();
        server.AddPack(Host, CalType.PerDevice, installed, At.T0);
        var temp = server.Request(CalType.PerDevice, Device, Host, At.T0, new Random(3)).Cal!;
        server.Validate(temp.LicenseId);
        var permanent = server.Request(CalType.PerDevice, Device, Host, At.T0, new Random(3)).Cal!;
        Assert.Equal(CalStatus.Permanent, permanent.Status);
        return (server, permanent);
    }

    [Theory]
    [InlineData(7, true)]
    [InlineData(8, false)]
    public void PermanentCalRenewsWithinSevenDaysOfExpiry(int daysBeforeExpiry, bool renewed)
    {
        var (server, permanent) = DeviceWithPermanentCal();
        var now = permanent.ExpiresAt - TimeSpan.FromDays(daysBeforeExpiry);

        var outcome = server.Request(CalType.PerDevice, Device, Host, now, new Random(3));

        Assert.Equal(renewed, LicensingRules.IsRenewalDue(permanent.ExpiresAt, now));
        Assert.Equal(renewed ? ReasonCode.CalRenewed : ReasonCode.ValidCal, outcome.Reason);
        Assert.Equal(renewed ? IssuanceKind.Update : IssuanceKind.Reuse, outcome.Kind);
        if (renewed)
        {
            Assert.InRange((outcome.Cal!.ExpiresAt - now).TotalDays, 52, 89);
            Assert.Null(outcome.SeatTakenFrom);
        }
    }

    [Theory]
    [InlineData(7, true)]
    [InlineData(8, false)]
    public void RenewLicenseCallRenewsOnlyWithinSevenDays(int daysBeforeExpiry, bool renewed)
    {
        var cal = Permanent(expiresAt: At.Day(60));
        var now = cal.ExpiresAt - TimeSpan.FromDays(daysBeforeExpiry);

        var outcome = IssuancePolicy.Renew(cal, now, new Random(5));

        Assert.Equal(renewed ? ReasonCode.CalRenewed : ReasonCode.ValidCal, outcome.Reason);
    }

    [Fact]
    public void RenewalRefusesRevokedExpiredAndTemporaryCals()
    {
        var now = At.Day(30);
        Assert.Equal(ReasonCode.CalRevoked, IssuancePolicy.Renew(Permanent(At.Day(33)) with { Status = CalStatus.Revoked }, now, new Random(1)).Reason);
        Assert.Equal(ReasonCode.CalExpired, IssuancePolicy.Renew(Permanent(At.Day(29)), now, new Random(1)).Reason);
        var temp = Permanent(At.Day(31)) with { Status = CalStatus.Temporary, KeyPackId = null };
        Assert.Equal(IssuanceKind.Reuse, IssuancePolicy.Renew(temp, now, new Random(1)).Kind);
        Assert.Equal(ReasonCode.TemporaryCalExpired, IssuancePolicy.Renew(temp, At.Day(40), new Random(1)).Reason);
    }

    [Fact]
    public void PermanentCalThatExpiresUnrenewedReturnsToItsPool()
    {
        var (server, permanent) = DeviceWithPermanentCal(installed: 1);
        var pack = server.Packs[0].Id;
        Assert.Equal(1, server.Occupied(pack, permanent.ExpiresAt - TimeSpan.FromTicks(1)));

        Assert.Equal(0, server.Occupied(pack, permanent.ExpiresAt));

        var other = server.Request(CalType.PerDevice, "HW-OTHER", Host, permanent.ExpiresAt, new Random(3)).Cal!;
        server.Validate(other.LicenseId);
        var upgraded = server.Request(CalType.PerDevice, "HW-OTHER", Host, permanent.ExpiresAt, new Random(3));
        Assert.Equal(ReasonCode.CalUpgraded, upgraded.Reason);

        var back = server.Request(CalType.PerDevice, Device, Host, permanent.ExpiresAt + TimeSpan.FromDays(1), new Random(3));
        Assert.Equal(ReasonCode.NoLicensesAvailable, back.Reason);
    }

    [Fact]
    public void ExpiredPermanentCalIsIssuedAgainUnderTheSameLicenseIdWhenASeatIsFree()
    {
        var (server, permanent) = DeviceWithPermanentCal(installed: 1);
        var now = permanent.ExpiresAt + TimeSpan.FromDays(2);

        var outcome = server.Request(CalType.PerDevice, Device, Host, now, new Random(3));

        Assert.Equal(ReasonCode.CalRenewed, outcome.Reason);
        Assert.Equal(permanent.LicenseId, outcome.Cal!.LicenseId);
        Assert.Equal(server.Packs[0].Id, outcome.SeatTakenFrom);
        Assert.Single(server.Cals);
    }

    [Fact]
    public void DeactivatedServerStillRenewsCalsItIssued()
    {
        var (server, permanent) = DeviceWithPermanentCal();
        server.Activated = false;

        var outcome = server.Request(CalType.PerDevice, Device, Host, permanent.ExpiresAt - TimeSpan.FromDays(1), new Random(3));

        Assert.Equal(ReasonCode.CalRenewed, outcome.Reason);
    }

    [Fact]
    public void SeededRandomGivesRepeatableLifetimes()
    {
        Assert.Equal(LicensingRules.NextPermanentCalLifetime(new Random(42)), LicensingRules.NextPermanentCalLifetime(new Random(42)));
        var seen = Enumerable.Range(0, 5000).Select(i => (int)LicensingRules.NextPermanentCalLifetime(new Random(i)).TotalDays).ToHashSet();
        Assert.Equal(52, seen.Min());
        Assert.Equal(89, seen.Max());
        Assert.Equal(38, seen.Count);
    }

    private static IssuedCal Permanent(DateTimeOffset expiresAt) =>
        new(Guid.NewGuid(), CalType.PerDevice, Host, Device, CalStatus.Permanent, Guid.NewGuid(), At.T0, expiresAt, Validated: true);
}
