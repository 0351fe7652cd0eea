namespace RdsPlatform.Licensing.Tests;

public class ReassignmentTests
{
    private static readonly ProductVersion Host = ProductVersion.WindowsServer2019;

    [Theory]
    [InlineData(89, CalStatus.OverUsed)]
    [InlineData(90, CalStatus.Active)]
    public void SeatOfAnExpiredUserIsReassignedOnlyNinetyDaysAfterAssignment(int day, CalStatus newUserGets)
    {
        var server = new LicenseServerSimulator();
        server.AddPack(Host, CalType.PerUser, 1, At.T0);
        var first = server.Request(CalType.PerUser, @"CONTOSO\alice", Host, At.T0, new Random(1)).Cal!;
        Assert.True(first.IsExpiredAt(At.Day(day)));

        var outcome = server.Request(CalType.PerUser, @"CONTOSO\bob", Host, At.Day(day), new Random(1));

        Assert.Equal(newUserGets, outcome.Cal!.Status);
    }

    [Fact]
    public void SeatStaysWithItsUserForNinetyDaysAfterAssignment()
    {
        var cal = new IssuedCal(Guid.NewGuid(), CalType.PerUser, Host, @"CONTOSO\alice", CalStatus.Active, Guid.NewGuid(), At.T0, At.Day(60), AssignedAt: At.T0);

        Assert.Equal(At.Day(90), cal.SeatHeldUntil);
        Assert.True(cal.HoldsSeatAt(At.Day(89)));
        Assert.False(cal.HoldsSeatAt(At.Day(90)));
        Assert.Equal(At.Day(150), (cal with { ExpiresAt = At.Day(150) }).SeatHeldUntil);
    }

    [Fact]
    public void ReturningUserWithinTheHoldKeepsItsSeat()
    {
        var server = new LicenseServerSimulator();
        var pack = server.AddPack(Host, CalType.PerUser, 1, At.T0);
        server.Request(CalType.PerUser, @"CONTOSO\alice", Host, At.T0, new Random(1));

        var outcome = server.Request(CalType.PerUser, @"CONTOSO\alice", Host, At.Day(80), new Random(1));

        Assert.Equal(pack, outcome.Cal!.KeyPackId);
        Assert.Equal(At.T0, outcome.Cal.AssignedAt);
        Assert.Null(outcome.SeatTakenFrom);
    }

    [Fact]
    public void ReturningUserAfterTheHoldIsAssignedAgainIfASeatIsFree()
    {
        var server = new LicenseServerSimulator();
        server.AddPack(Host, CalType.PerUser, 1, At.T0);
        var first = server.Request(CalType.PerUser, @"CONTOSO\alice", Host, At.T0, new Random(1)).Cal!;

        var outcome = server.Request(CalType.PerUser, @"CONTOSO\alice", Host, At.Day(100), new Random(1));

        Assert.Equal(first.LicenseId, outcome.Cal!.LicenseId);
        Assert.Equal(At.Day(100), outcome.Cal.AssignedAt);
        Assert.Equal(CalStatus.Active, outcome.Cal.Status);
    }
}
