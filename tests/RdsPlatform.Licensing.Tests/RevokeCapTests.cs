namespace RdsPlatform.Licensing.Tests;

public class RevokeCapTests
{
    private static readonly ProductVersion Version = ProductVersion.WindowsServer2022;

    [Theory]
    [InlineData(4, 0)]
    [InlineData(5, 1)]
    [InlineData(9, 1)]
    [InlineData(10, 2)]
    public void RevokeCapIsTwentyPercentOfInstalledRoundedDown(int installed, int cap)
    {
        Assert.Equal(cap, RevocationPolicy.Cap(installed));

        var (server, cals) = ServerWithPermanentCals(installed, issue: Math.Min(installed, cap + 1));
        var revoked = cals.Count(c => server.Revoke(c.LicenseId, At.Day(1)).Allowed);

        Assert.Equal(cap, revoked);
    }

    [Fact]
    public void RevokeAtTheCapIsRefusedAndSaysWhenTheNextIsAllowed()
    {
        var (server, cals) = ServerWithPermanentCals(installed: 5, issue: 2);
        var first = server.Revoke(cals[0].LicenseId, At.Day(1));
        Assert.True(first.Allowed);
        Assert.Equal(0, first.Quota.Remaining);
        Assert.Equal(cals[0].ExpiresAt, first.Quota.NextRevokeAllowedAt);

        var second = server.Revoke(cals[1].LicenseId, At.Day(1));

        Assert.False(second.Allowed);
        Assert.Equal(ReasonCode.RevokeCapReached, second.Reason);
        Assert.Equal(cals[0].ExpiresAt, second.Quota.NextRevokeAllowedAt);
        Assert.Contains("next revoke is allowed", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RevokedCalCountsUntilTheExpiryItHadWhenRevoked()
    {
        var (server, cals) = ServerWithPermanentCals(installed: 5, issue: 2);
        server.Revoke(cals[0].LicenseId, At.Day(1));
        var expiry = cals[0].ExpiresAt;

        Assert.Equal(0, RevocationPolicy.Quota(server.RevocationSnapshot(Version), expiry - TimeSpan.FromTicks(1)).Remaining);
        var quota = RevocationPolicy.Quota(server.RevocationSnapshot(Version), expiry);
        Assert.Equal(1, quota.Remaining);
        Assert.Equal(expiry, quota.NextRevokeAllowedAt);
    }

    [Fact]
    public void RevokedCalFreesItsSeatAtOnce()
    {
        var (server, cals) = ServerWithPermanentCals(installed: 5, issue: 5);
        var pack = server.Packs[0].Id;
        Assert.Equal(5, server.Occupied(pack, At.Day(1)));

        var outcome = server.Revoke(cals[0].LicenseId, At.Day(1));

        Assert.Equal(CalStatus.Revoked, outcome.Revoked!.Status);
        Assert.Equal(cals[0].ExpiresAt, outcome.Revoked.ExpiresAt);
        Assert.Equal(4, server.Occupied(pack, At.Day(1)));
    }

    [Fact]
    public void PerUserCalsCannotBeRevoked()
    {
        var cal = new IssuedCal(Guid.NewGuid(), CalType.PerUser, Version, @"CONTOSO\alice", CalStatus.Active, Guid.NewGuid(), At.T0, At.Day(60), AssignedAt: At.T0);

        var outcome = RevocationPolicy.Revoke(cal, new RevocationSnapshot(100, []), At.Day(1));

        Assert.False(outcome.Allowed);
        Assert.Equal(ReasonCode.RevokeNotAllowed, outcome.Reason);
        Assert.Equal("Per User CALs cannot be revoked; only Per Device CALs can.", outcome.Message);
    }

    [Fact]
    public void TemporaryExpiredAndRevokedCalsCannotBeRevoked()
    {
        var permanent = new IssuedCal(Guid.NewGuid(), CalType.PerDevice, Version, "HW", CalStatus.Permanent, Guid.NewGuid(), At.T0, At.Day(60));
        var snapshot = new RevocationSnapshot(100, []);

        Assert.False(RevocationPolicy.Revoke(permanent with { Status = CalStatus.Temporary }, snapshot, At.Day(1)).Allowed);
        Assert.False(RevocationPolicy.Revoke(permanent with { Status = CalStatus.Revoked }, snapshot, At.Day(1)).Allowed);
        Assert.False(RevocationPolicy.Revoke(permanent, snapshot, At.Day(61)).Allowed);
        Assert.True(RevocationPolicy.Revoke(permanent, snapshot, At.Day(1)).Allowed);
    }

    [Fact]
    public void CapIsCountedPerVersion()
    {
        var snapshot2019 = new RevocationSnapshot(5, []);
        var cal2019 = new IssuedCal(Guid.NewGuid(), CalType.PerDevice, ProductVersion.WindowsServer2019, "HW", CalStatus.Permanent, Guid.NewGuid(), At.T0, At.Day(60));

        var outcome = RevocationPolicy.Revoke(cal2019, snapshot2019, At.Day(1));

        Assert.True(outcome.Allowed);
    }

    [Fact]
    public void QuotaWithFewerThanFiveInstalledNeverAllowsARevoke()
    {
        var quota = RevocationPolicy.Quota(new RevocationSnapshot(4, []), At.T0);

        Assert.Equal(new RevocationQuota(0, 0, 0, null), quota);
        Assert.Equal(At.T0, RevocationPolicy.Quota(new RevocationSnapshot(10, [At.Day(5)]), At.T0).NextRevokeAllowedAt);
    }

    private static (LicenseServerSimulator Server, List<IssuedCal> Cals) ServerWithPermanentCals(int installed, int issue)
    {
        var server = new LicenseServerSimulator();
        server.AddPack(Version, CalType.PerDevice, installed, At.T0);
        var cals = new List<IssuedCal>();
        for (var i = 0; i < issue; i++)
        {
            var device = $"HW-{i:D3}";
            var temp = server.Request(CalType.PerDevice, device, Version, At.T0, new Random(i)).Cal!;
            server.Validate(temp.LicenseId);
            var permanent = server.Request(CalType.PerDevice, device, Version, At.T0, new Random(i)).Cal!;
            Assert.Equal(CalStatus.Permanent, permanent.Status);
            cals.Add(permanent);
        }

        return (server, cals);
    }
}
