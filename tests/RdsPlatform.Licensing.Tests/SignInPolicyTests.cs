namespace RdsPlatform.Licensing.Tests;

public class SignInPolicyTests
{
    private static readonly DateTimeOffset InGrace = At.Day(10);
    private static readonly DateTimeOffset PastGrace = At.Day(130);

    private static CalCertificate Cal(CalType type = CalType.PerUser, DateTimeOffset? expires = null, bool temporary = false) =>
        new(Guid.NewGuid(), Guid.NewGuid(), type, ProductVersion.WindowsServer2022, "CONTOSO\\alice", temporary, At.T0, expires ?? At.Day(200));

    private static SignInFacts Facts(LicensingMode mode, DateTimeOffset now, Guid? licenseId = null, bool temporary = false, bool notTracked = false,
        CalCertificate? known = null) => new(mode, At.T0, now, licenseId, temporary, notTracked, known);

    [Fact]
    public void ATemporaryPerDeviceCalIsValidatedAtSignIn()
    {
        var plan = SignInPolicy.Plan(Facts(LicensingMode.PerDevice, PastGrace, Guid.NewGuid(), temporary: true));

        Assert.Equal(SignInAction.ValidateTemporaryCal, plan.Action);
        Assert.Equal(ReasonCode.TemporaryCalValidated, SignInPolicy.Validated(answered: true, known: null).Reason);
        Assert.Equal(ReasonCode.NoLicenseServer, SignInPolicy.Validated(answered: false, known: null).Reason);
    }

    [Fact]
    public void APermanentPerDeviceCalIsOnlyReported()
    {
        var known = Cal(CalType.PerDevice);

        var plan = SignInPolicy.Plan(Facts(LicensingMode.PerDevice, PastGrace, known.LicenseId, known: known));

        Assert.Equal(SignInAction.Decided, plan.Action);
        Assert.Equal(ReasonCode.ValidCal, plan.Decision!.Reason);
        Assert.Same(known, plan.Decision.Certificate);
    }

    [Fact]
    public void ANotTrackedUserIsReportedAsNotTracking()
    {
        var plan = SignInPolicy.Plan(Facts(LicensingMode.PerUser, PastGrace, notTracked: true));

        Assert.Equal(ReasonCode.PerUserNotTracked, plan.Decision!.Reason);
        Assert.Contains("Not Tracking", plan.Decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APerUserSignInAsksTheServerUnlessTheKnownCalIsGoodForMoreThanSevenDays()
    {
        Assert.Equal(SignInAction.RequestLicense, SignInPolicy.Plan(Facts(LicensingMode.PerUser, PastGrace)).Action);
        Assert.Equal(SignInAction.RenewLicense, SignInPolicy.Plan(Facts(LicensingMode.PerUser, PastGrace, known: Cal(expires: PastGrace.AddDays(3)))).Action);
        var recorded = SignInPolicy.Plan(Facts(LicensingMode.PerUser, PastGrace, known: Cal(expires: new DateTimeOffset(2025, 9, 1, 0, 0, 0, TimeSpan.Zero))));
        Assert.Equal(ReasonCode.PerUserRecorded, recorded.Decision!.Reason);
        Assert.Contains("recorded until 2025-09-01", recorded.Decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AServerThatHoldsTheUsersSeatAlreadyIsReportedAsRecorded()
    {
        var granted = Cal();

        var decision = SignInPolicy.Recorded(new LicenseServerAnswer(true, ReasonCode.ValidCal, granted), known: null);

        Assert.Equal(ReasonCode.PerUserRecorded, decision.Reason);
        Assert.Same(granted, decision.Certificate);
    }

    [Fact]
    public void WithoutAnAnsweringServerTheKnownCalStaysAndTheUserIsRecordedLater()
    {
        var known = Cal();

        var unreachable = SignInPolicy.Recorded(answer: null, known);
        var refused = SignInPolicy.Recorded(new LicenseServerAnswer(false, ReasonCode.NoLicensesAvailable, null), known);

        Assert.Equal(ReasonCode.NoLicenseServer, unreachable.Reason);
        Assert.Contains("later sign-in", unreachable.Message, StringComparison.Ordinal);
        Assert.Same(known, unreachable.Certificate);
        Assert.Equal(ReasonCode.NoLicensesAvailable, refused.Reason);
        Assert.Same(known, refused.Certificate);
    }

    [Fact]
    public void WithoutACalOrModeTheSignInReportsTheGracePeriodOrTheMissingMode()
    {
        var during = SignInPolicy.Plan(Facts(LicensingMode.NotConfigured, InGrace)).Decision!;
        var after = SignInPolicy.Plan(Facts(LicensingMode.PerDevice, PastGrace)).Decision!;

        Assert.Equal(ReasonCode.GracePeriod, during.Reason);
        Assert.EndsWith("110 days are left.", during.Message, StringComparison.Ordinal);
        Assert.Equal(ReasonCode.ModeNotConfigured, after.Reason);
    }
}
