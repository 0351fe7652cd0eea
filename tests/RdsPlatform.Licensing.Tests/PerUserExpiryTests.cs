namespace RdsPlatform.Licensing.Tests;

public class PerUserExpiryTests
{
    private const string User = @"CONTOSO\alice";
    private static readonly ProductVersion Host = ProductVersion.WindowsServer2022;

    private static LicenseServerSimulator ServerWithSeats(int seats, bool activated = true)
    {
        var server = new LicenseServerSimulator(activated);
        server.AddPack(Host, CalType.PerUser, seats, At.T0);
        return server;
    }

    [Fact]
    public void PerUserCalShowsExpirySixtyDaysAfterIssue()
    {
        var server = ServerWithSeats(1);

        var outcome = server.Request(CalType.PerUser, User, Host, At.T0, new Random(1));

        Assert.Equal(IssuanceKind.Issue, outcome.Kind);
        Assert.Equal(ReasonCode.PerUserRecorded, outcome.Reason);
        Assert.Equal(CalStatus.Active, outcome.Cal!.Status);
        Assert.Equal(At.Day(60), outcome.Cal.ExpiresAt);
        Assert.Equal(At.T0, outcome.Cal.AssignedAt);
        Assert.Equal(server.Packs[0].Id, outcome.SeatTakenFrom);
    }

    [Theory]
    [InlineData(7, true)]
    [InlineData(8, false)]
    public void SignInWithinSevenDaysOfExpiryExtendsBySixtyDays(int daysBeforeExpiry, bool extended)
    {
        var server = ServerWithSeats(1);
        server.Request(CalType.PerUser, User, Host, At.T0, new Random(1));

        var outcome = server.Request(CalType.PerUser, User, Host, At.Day(60 - daysBeforeExpiry), new Random(1));

        Assert.Equal(extended ? ReasonCode.CalRenewed : ReasonCode.ValidCal, outcome.Reason);
        Assert.Equal(extended ? At.Day(120) : At.Day(60), outcome.Cal!.ExpiresAt);
    }

    [Fact]
    public void ExpiredPerUserCalDropsOffAndReappearsWithANewExpiry()
    {
        var server = ServerWithSeats(1);
        var cal = server.Request(CalType.PerUser, User, Host, At.T0, new Random(1)).Cal!;
        Assert.Equal(CalStatus.Expired, cal.StatusAt(At.Day(61)));

        var outcome = server.Request(CalType.PerUser, User, Host, At.Day(70), new Random(1));

        Assert.Equal(IssuanceKind.Update, outcome.Kind);
        Assert.Equal(cal.LicenseId, outcome.Cal!.LicenseId);
        Assert.Equal(At.Day(130), outcome.Cal.ExpiresAt);
        Assert.Equal(CalStatus.Active, outcome.Cal.StatusAt(At.Day(70)));
    }

    [Fact]
    public void NoFreeSeatRecordsTheUserAsOverUsed()
    {
        var server = ServerWithSeats(1);
        server.Request(CalType.PerUser, User, Host, At.T0, new Random(1));

        var outcome = server.Request(CalType.PerUser, @"CONTOSO\bob", Host, At.T0, new Random(1));

        Assert.True(outcome.Granted);
        Assert.Equal(ReasonCode.PerUserOverUsed, outcome.Reason);
        Assert.Equal(CalStatus.OverUsed, outcome.Cal!.Status);
        Assert.Null(outcome.Cal.KeyPackId);
        Assert.Contains("OverUsed", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverUsedUserTakesASeatOnceMoreAreInstalled()
    {
        var server = ServerWithSeats(0);
        var overUsed = server.Request(CalType.PerUser, User, Host, At.T0, new Random(1)).Cal!;
        var pack = server.AddPack(Host, CalType.PerUser, 5, At.Day(2));

        var outcome = server.Request(CalType.PerUser, User, Host, At.Day(3), new Random(1));

        Assert.Equal(overUsed.LicenseId, outcome.Cal!.LicenseId);
        Assert.Equal(CalStatus.Active, outcome.Cal.Status);
        Assert.Equal(pack, outcome.SeatTakenFrom);
    }

    [Fact]
    public void UnactivatedServerRecordsTemporaryPerUserCalWithoutTakingASeat()
    {
        var server = ServerWithSeats(5, activated: false);

        var outcome = server.Request(CalType.PerUser, User, Host, At.T0, new Random(1));

        Assert.Equal(ReasonCode.PerUserRecorded, outcome.Reason);
        Assert.Equal(CalStatus.Temporary, outcome.Cal!.Status);
        Assert.Null(outcome.SeatTakenFrom);
        Assert.Equal(At.Day(60), outcome.Cal.ExpiresAt);

        server.Activated = true;
        var activated = server.Request(CalType.PerUser, User, Host, At.Day(1), new Random(1));
        Assert.Equal(CalStatus.Active, activated.Cal!.Status);
    }
}
