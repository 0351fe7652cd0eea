namespace RdsPlatform.Licensing.Tests;

public class ConnectionPolicyTests
{
    private const ProductVersion Host = ProductVersion.WindowsServer2022;
    private static readonly DateTimeOffset InGrace = At.Day(10);
    private static readonly DateTimeOffset PastGrace = At.Day(130);

    private static ConnectionFacts Facts(DateTimeOffset now, CertificateCheck presented = default, LicensingMode mode = LicensingMode.PerDevice, ServerScope scope = ServerScope.Domain) =>
        new(mode, Host, scope, At.T0, now, presented);

    private static CalCertificate Cal(bool temporary = false, DateTimeOffset? expires = null, ProductVersion version = Host, CalType type = CalType.PerDevice) =>
        new(Guid.NewGuid(), Guid.NewGuid(), type, version, "HW-1", temporary, At.T0, expires ?? At.Day(200));

    private static CertificateCheck Presented(CertificateCheckStatus status, CalCertificate? cal = null) => new(status, cal ?? Cal());

    private static LicenseServerAnswer Granted(ReasonCode reason, CalCertificate cal) => new(true, reason, cal);

    private static LicenseServerAnswer Refused(ReasonCode reason) => new(false, reason, null);

    [Fact]
    public void NewDeviceDuringGraceIsAdmittedAndStillRequestsACal()
    {
        var facts = Facts(InGrace);

        var plan = ConnectionPolicy.Plan(facts);
        var decision = ConnectionPolicy.Conclude(facts, answer: null);

        Assert.Equal(PlanAction.RequestLicense, plan.Action);
        Assert.Equal(CalType.PerDevice, plan.CalType);
        Assert.True(decision.Admitted);
        Assert.Equal(ReasonCode.GracePeriod, decision.Reason);
        Assert.Equal(110, decision.GraceDaysLeft);
        Assert.Contains("110 days left", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NewDeviceDuringGraceGetsTheTemporaryCalTheServerIssues()
    {
        var temp = Cal(temporary: true, expires: At.Day(100));

        var decision = ConnectionPolicy.Conclude(Facts(InGrace), Granted(ReasonCode.TemporaryCalIssued, temp));

        Assert.True(decision.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalIssued, decision.Reason);
        Assert.Same(temp, decision.Certificate);
    }

    [Fact]
    public void NewDeviceAfterGraceWithNoLicenseServerIsRefused()
    {
        var decision = ConnectionPolicy.Conclude(Facts(PastGrace), answer: null);

        Assert.False(decision.Admitted);
        Assert.Equal(ReasonCode.NoLicenseServer, decision.Reason);
        Assert.Equal("The remote session was disconnected because there are no Remote Desktop License Servers available to provide a license.", decision.Message);
        Assert.Equal(0, decision.GraceDaysLeft);
    }

    [Theory]
    [InlineData(119, true, ReasonCode.GracePeriod)]
    [InlineData(120, false, ReasonCode.NoLicenseServer)]
    [InlineData(121, false, ReasonCode.NoLicenseServer)]
    public void GraceEndsAfterOneHundredTwentyDays(int day, bool admitted, ReasonCode reason)
    {
        var decision = ConnectionPolicy.Conclude(Facts(At.Day(day)), answer: null);

        Assert.Equal(admitted, decision.Admitted);
        Assert.Equal(reason, decision.Reason);
    }

    [Fact]
    public void ValidPermanentCalIsAdmittedWithoutTheLicenseServer()
    {
        var cal = Cal();
        var plan = ConnectionPolicy.Plan(Facts(PastGrace, Presented(CertificateCheckStatus.Valid, cal)));

        Assert.Equal(PlanAction.Decided, plan.Action);
        Assert.True(plan.Decision!.Admitted);
        Assert.Equal(ReasonCode.ValidCal, plan.Decision.Reason);
        Assert.Same(cal, plan.Decision.Certificate);
    }

    [Fact]
    public void CalDueForRenewalIsRenewedAndStillAdmittedWhenTheServerIsUnreachable()
    {
        var facts = Facts(PastGrace, Presented(CertificateCheckStatus.RenewalDue));
        var renewed = Cal(expires: At.Day(200));

        Assert.Equal(PlanAction.RenewLicense, ConnectionPolicy.Plan(facts).Action);
        Assert.Equal(ReasonCode.CalRenewed, ConnectionPolicy.Conclude(facts, Granted(ReasonCode.CalRenewed, renewed)).Reason);
        var unreachable = ConnectionPolicy.Conclude(facts, answer: null);
        Assert.True(unreachable.Admitted);
        Assert.Equal(ReasonCode.ValidCal, unreachable.Reason);
    }

    [Fact]
    public void TemporaryCalAsksForAnUpgradeAtEveryConnection()
    {
        var temp = Cal(temporary: true, expires: At.Day(140));
        var facts = Facts(PastGrace, Presented(CertificateCheckStatus.Valid, temp));

        Assert.Equal(PlanAction.RequestLicense, ConnectionPolicy.Plan(facts).Action);
        Assert.Equal(ReasonCode.CalUpgraded, ConnectionPolicy.Conclude(facts, Granted(ReasonCode.CalUpgraded, Cal())).Reason);
        Assert.Equal(ReasonCode.ValidCal, ConnectionPolicy.Conclude(facts, Granted(ReasonCode.ValidCal, temp)).Reason);
        Assert.True(ConnectionPolicy.Conclude(facts, answer: null).Admitted);
    }

    [Fact]
    public void ExpiredTemporaryCalWithoutUpgradeIsRefusedAfterGrace()
    {
        var temp = Cal(temporary: true, expires: At.Day(125));
        var facts = Facts(PastGrace, Presented(CertificateCheckStatus.Expired, temp));

        var decision = ConnectionPolicy.Conclude(facts, Refused(ReasonCode.NoLicensesAvailable));

        Assert.False(decision.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalExpired, decision.Reason);
    }

    [Fact]
    public void ExpiredTemporaryCalDuringGraceIsStillAdmitted()
    {
        var facts = Facts(At.Day(100), Presented(CertificateCheckStatus.Expired, Cal(temporary: true, expires: At.Day(90))));

        var decision = ConnectionPolicy.Conclude(facts, Refused(ReasonCode.NoLicensesAvailable));

        Assert.True(decision.Admitted);
        Assert.Equal(ReasonCode.GracePeriod, decision.Reason);
        Assert.Contains("temporary Remote Desktop client access license", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpiredPermanentCalWithNoFreeLicenseIsRefused()
    {
        var facts = Facts(PastGrace, Presented(CertificateCheckStatus.Expired, Cal(expires: At.Day(125))));

        var decision = ConnectionPolicy.Conclude(facts, Refused(ReasonCode.NoLicensesAvailable));

        Assert.Equal(ReasonCode.NoLicensesAvailable, decision.Reason);
        Assert.Equal("The remote session was disconnected because there are no Remote Desktop client access licenses available for this computer.", decision.Message);
    }

    [Fact]
    public void CalOfAnOlderVersionCannotServeTheHost()
    {
        var facts = Facts(PastGrace, Presented(CertificateCheckStatus.VersionIncompatible, Cal(version: ProductVersion.WindowsServer2019)));

        Assert.Equal(PlanAction.RequestLicense, ConnectionPolicy.Plan(facts).Action);
        Assert.Equal(ReasonCode.CalVersionIncompatible, ConnectionPolicy.Conclude(facts, Refused(ReasonCode.NoLicensesAvailable)).Reason);
        Assert.Equal(ReasonCode.CalVersionIncompatible, ConnectionPolicy.Conclude(Facts(PastGrace), Granted(ReasonCode.ValidCal, Cal(version: ProductVersion.WindowsServer2016))).Reason);
        Assert.True(ConnectionPolicy.Conclude(facts, Granted(ReasonCode.TemporaryCalIssued, Cal(temporary: true))).Admitted);
    }

    [Fact]
    public void RevokedCertificateAsksForANewCalInTheSameConnection()
    {
        var revoked = Presented(CertificateCheckStatus.Revoked);
        var fresh = Cal(temporary: true, expires: At.Day(220));

        var decision = ConnectionPolicy.Conclude(Facts(PastGrace, revoked), Granted(ReasonCode.TemporaryCalIssued, fresh));

        Assert.Equal(PlanAction.RequestLicense, ConnectionPolicy.Plan(Facts(PastGrace, revoked)).Action);
        Assert.Equal(PlanAction.RequestLicense, ConnectionPolicy.Plan(Facts(InGrace, revoked)).Action);
        Assert.True(decision.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalIssued, decision.Reason);
        Assert.Same(fresh, decision.Certificate);
    }

    [Fact]
    public void RevokedCertificateIsRefusedWhenNoNewCalCanBeHad()
    {
        var revoked = Presented(CertificateCheckStatus.Revoked);

        var unreachable = ConnectionPolicy.Conclude(Facts(PastGrace, revoked), answer: null);
        var sameCal = ConnectionPolicy.Conclude(Facts(PastGrace, revoked), Granted(ReasonCode.ValidCal, revoked.Certificate!));
        var refused = ConnectionPolicy.Conclude(Facts(PastGrace, revoked), Refused(ReasonCode.NoLicensesAvailable));
        var duringGrace = ConnectionPolicy.Conclude(Facts(InGrace, revoked), answer: null);

        Assert.False(unreachable.Admitted);
        Assert.Equal(ReasonCode.CalRevoked, unreachable.Reason);
        Assert.Contains("revoked", unreachable.Message, StringComparison.Ordinal);
        Assert.False(sameCal.Admitted);
        Assert.Equal(ReasonCode.CalRevoked, sameCal.Reason);
        Assert.Null(sameCal.Certificate);
        Assert.False(refused.Admitted);
        Assert.Equal(ReasonCode.NoLicensesAvailable, refused.Reason);
        Assert.True(duringGrace.Admitted);
        Assert.Null(duringGrace.Certificate);
        Assert.Contains("revoked", duringGrace.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CertificateCheckStatus.Malformed)]
    [InlineData(CertificateCheckStatus.BadSignature)]
    [InlineData(CertificateCheckStatus.WrongSubject)]
    public void UntrustedCertificateIsRefusedAfterGrace(CertificateCheckStatus status)
    {
        var decision = ConnectionPolicy.Conclude(Facts(PastGrace, new CertificateCheck(status, null)), answer: null);

        Assert.False(decision.Admitted);
        Assert.Equal(ReasonCode.CertificateInvalid, decision.Reason);
        Assert.Equal("The remote session was disconnected because the Remote Desktop client access license stored on this computer has been modified.", decision.Message);
    }

    [Fact]
    public void UntrustedCertificateDuringGraceIsReplacedByTheServersCal()
    {
        var facts = Facts(InGrace, new CertificateCheck(CertificateCheckStatus.BadSignature, null));
        var own = Cal(temporary: true);

        Assert.Equal(PlanAction.RequestLicense, ConnectionPolicy.Plan(facts).Action);
        Assert.Same(own, ConnectionPolicy.Conclude(facts, Granted(ReasonCode.ValidCal, own)).Certificate);
    }

    [Fact]
    public void ModeNotConfiguredIsDeniedAfterGrace()
    {
        var after = ConnectionPolicy.Conclude(Facts(PastGrace, mode: LicensingMode.NotConfigured), answer: null);
        var during = ConnectionPolicy.Plan(Facts(InGrace, mode: LicensingMode.NotConfigured));

        Assert.False(after.Admitted);
        Assert.Equal(ReasonCode.ModeNotConfigured, after.Reason);
        Assert.True(during.Decision!.Admitted);
        Assert.Equal(ReasonCode.GracePeriod, during.Decision.Reason);
    }

    [Fact]
    public void PerUserInAWorkgroupIsAdmittedButNotTracked()
    {
        var plan = ConnectionPolicy.Plan(Facts(PastGrace, mode: LicensingMode.PerUser, scope: ServerScope.Workgroup));

        Assert.True(plan.Decision!.Admitted);
        Assert.Equal(ReasonCode.PerUserNotTracked, plan.Decision.Reason);
        Assert.Contains("Not Tracking", plan.Decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PerDeviceInAWorkgroupStillAsksForACal() =>
        Assert.Equal(PlanAction.RequestLicense, ConnectionPolicy.Plan(Facts(PastGrace, scope: ServerScope.Workgroup)).Action);

    [Fact]
    public void OverUsedPerUserIsStillAdmitted()
    {
        var facts = Facts(PastGrace, mode: LicensingMode.PerUser);

        var decision = ConnectionPolicy.Conclude(facts, Granted(ReasonCode.PerUserOverUsed, Cal(type: CalType.PerUser)));

        Assert.Equal(CalType.PerUser, ConnectionPolicy.Plan(facts).CalType);
        Assert.True(decision.Admitted);
        Assert.Equal(ReasonCode.PerUserOverUsed, decision.Reason);
    }

    [Fact]
    public void OverUsedCertificateAsksTheServerAtEveryConnection()
    {
        var overUsed = Cal(type: CalType.PerUser) with { OverUsed = true };
        var facts = Facts(PastGrace, Presented(CertificateCheckStatus.Valid, overUsed), LicensingMode.PerUser);

        var unreachable = ConnectionPolicy.Conclude(facts, answer: null);

        Assert.Equal(PlanAction.RequestLicense, ConnectionPolicy.Plan(facts).Action);
        Assert.Equal(PlanAction.Decided, ConnectionPolicy.Plan(Facts(PastGrace, Presented(CertificateCheckStatus.Valid, Cal(type: CalType.PerUser)), LicensingMode.PerUser)).Action);
        Assert.True(unreachable.Admitted);
        Assert.Same(overUsed, unreachable.Certificate);
    }

    [Fact]
    public void PerUserSignInAsksTheServerOnlyWhenTheKnownCalIsMissingExpiredOrOverUsed()
    {
        var active = Cal(type: CalType.PerUser, expires: At.Day(60));

        Assert.Equal(PlanAction.RequestLicense, ConnectionPolicy.PlanPerUserSignIn(null, At.Day(10)));
        Assert.Equal(PlanAction.RequestLicense, ConnectionPolicy.PlanPerUserSignIn(active with { OverUsed = true }, At.Day(10)));
        Assert.Equal(PlanAction.RequestLicense, ConnectionPolicy.PlanPerUserSignIn(active, At.Day(60)));
        Assert.Equal(PlanAction.RenewLicense, ConnectionPolicy.PlanPerUserSignIn(active, At.Day(53)));
        Assert.Equal(PlanAction.Decided, ConnectionPolicy.PlanPerUserSignIn(active, At.Day(52)));
    }

    [Fact]
    public void PerUserNeedsAReachableLicenseServerAfterGrace()
    {
        var decision = ConnectionPolicy.Conclude(Facts(PastGrace, mode: LicensingMode.PerUser), answer: null);

        Assert.False(decision.Admitted);
        Assert.Equal(ReasonCode.NoLicenseServer, decision.Reason);
    }

    [Fact]
    public void RecordedPerUserCalAdmitsWithoutAskingAgain()
    {
        var cal = Cal(type: CalType.PerUser);

        var plan = ConnectionPolicy.Plan(Facts(PastGrace, Presented(CertificateCheckStatus.Valid, cal), LicensingMode.PerUser));

        Assert.Equal(PlanAction.Decided, plan.Action);
        Assert.Equal(ReasonCode.ValidCal, plan.Decision!.Reason);
    }

    [Fact]
    public void EveryReasonHasASentence()
    {
        foreach (var reason in Enum.GetValues<ReasonCode>())
        {
            Assert.EndsWith(".", ConnectionPolicy.Describe(reason), StringComparison.Ordinal);
        }
    }
}
