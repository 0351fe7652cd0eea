namespace RdsPlatform.Licensing.Tests;

/// <summary>R9 with R11: a user in the OverUsed pool moves into an installed seat as soon as one is free, by a request or a renewal.</summary>
public class OverUsedSeatTests
{
    private const string Holder = @"CONTOSO\xavier";
    private const string OverUsedUser = @"CONTOSO\yvonne";
    private static readonly ProductVersion Host = ProductVersion.WindowsServer2022;

    /// <summary>One seat, taken by the holder on day 0 (held until day 90, R11); the other user is OverUsed from day 70.</summary>
    private static (LicenseServerSimulator Server, IssuedCal OverUsed) OneSeatAndAnOverUsedUser(bool activated = true)
    {
        var server = new LicenseServerSimulator();
        server.AddPack(Host, CalType.PerUser, 1, At.T0);
        server.Request(CalType.PerUser, Holder, Host, At.T0, new Random(1));
        var overUsed = server.Request(CalType.PerUser, OverUsedUser, Host, At.Day(70), new Random(1)).Cal!;
        Assert.Equal(CalStatus.OverUsed, overUsed.Status);
        server.Activated = activated;
        return (server, overUsed);
    }

    [Theory]
    [InlineData(89, CalStatus.OverUsed)]
    [InlineData(90, CalStatus.Active)]
    public void OverUsedUserAskingAgainMovesIntoTheSeatOnceItsHoldEnds(int day, CalStatus expected)
    {
        var (server, overUsed) = OneSeatAndAnOverUsedUser();

        var outcome = server.Request(CalType.PerUser, OverUsedUser, Host, At.Day(day), new Random(1));

        Assert.Equal(overUsed.LicenseId, outcome.Cal!.LicenseId);
        Assert.Equal(expected, outcome.Cal.Status);
        Assert.Equal(expected == CalStatus.Active ? server.Packs[0].Id : null, outcome.SeatTakenFrom);
    }

    [Fact]
    public void RenewalOfAnOverUsedCalTakesAFreeSeatFirst()
    {
        var (server, overUsed) = OneSeatAndAnOverUsedUser();

        var outcome = server.Renew(overUsed.LicenseId, At.Day(124), new Random(1));

        Assert.Equal(IssuanceKind.Update, outcome.Kind);
        Assert.Equal(ReasonCode.PerUserRecorded, outcome.Reason);
        Assert.Equal(CalStatus.Active, outcome.Cal!.Status);
        Assert.Equal(server.Packs[0].Id, outcome.SeatTakenFrom);
        Assert.Equal(At.Day(124), outcome.Cal.AssignedAt);
        Assert.Equal(At.Day(184), outcome.Cal.ExpiresAt);
        Assert.Contains("moved into a free seat", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RenewalOfAnOverUsedCalWithNoFreeSeatExtendsItStillOverUsed()
    {
        var (server, overUsed) = OneSeatAndAnOverUsedUser();
        server.Request(CalType.PerUser, @"CONTOSO\zoe", Host, At.Day(123), new Random(1));

        var outcome = server.Renew(overUsed.LicenseId, At.Day(124), new Random(1));

        Assert.Equal(ReasonCode.PerUserOverUsed, outcome.Reason);
        Assert.Equal(CalStatus.OverUsed, outcome.Cal!.Status);
        Assert.Null(outcome.SeatTakenFrom);
        Assert.Equal(At.Day(190), outcome.Cal.ExpiresAt);
    }

    [Fact]
    public void DeactivatedServerExtendsAnOverUsedCalWithoutTakingASeat()
    {
        var (server, overUsed) = OneSeatAndAnOverUsedUser(activated: false);

        var outcome = server.Renew(overUsed.LicenseId, At.Day(124), new Random(1));

        Assert.Equal(CalStatus.OverUsed, outcome.Cal!.Status);
        Assert.Null(outcome.SeatTakenFrom);
    }
}
