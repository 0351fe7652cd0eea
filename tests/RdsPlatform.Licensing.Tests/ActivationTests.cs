namespace RdsPlatform.Licensing.Tests;

public class ActivationTests
{
    private static readonly ActivationContact Contact = new("Ada", "Lovelace", "Contoso", "United Kingdom", "ada@contoso.com");

    [Fact]
    public void ActivationRequiresFirstNameLastNameCompanyAndCountry()
    {
        var outcome = ActivationPolicy.Activate(ActivationState.Initial, new ActivationContact(" ", null, "", null), At.T0);

        Assert.False(outcome.Succeeded);
        Assert.Equal(["contact.first_name", "contact.last_name", "contact.company", "contact.country"], outcome.Violations.Select(v => v.Field));
        Assert.Same(ActivationState.Initial, outcome.State);
    }

    [Fact]
    public void ActivatedServerRecordsContactAndTime()
    {
        var outcome = ActivationPolicy.Activate(ActivationState.Initial, Contact, At.T0);

        Assert.True(outcome.Succeeded);
        Assert.True(outcome.State.IsActivated);
        Assert.Equal(At.T0, outcome.State.ActivatedAt);
        Assert.Equal("Contoso", outcome.State.Contact!.Company);
        Assert.Equal(ReasonCode.AlreadyActivated, ActivationPolicy.Activate(outcome.State, Contact, At.Day(1)).Reason);
    }

    [Fact]
    public void DeactivatedServerIssuesOnlyTemporaryCalsButIssuedCalsStayValid()
    {
        var server = new LicenseServerSimulator();
        server.AddPack(ProductVersion.WindowsServer2022, CalType.PerDevice, 5, At.T0);
        var temp = server.Request(CalType.PerDevice, "HW", ProductVersion.WindowsServer2022, At.T0, new Random(1)).Cal!;
        server.Validate(temp.LicenseId);
        server.Request(CalType.PerDevice, "HW", ProductVersion.WindowsServer2022, At.T0, new Random(1));

        var state = ActivationPolicy.Deactivate(ActivationPolicy.Activate(ActivationState.Initial, Contact, At.T0).State, At.Day(1)).State;
        server.Activated = state.IsActivated;

        Assert.Equal(ActivationStatus.Deactivated, state.Status);
        Assert.Equal(ReasonCode.ValidCal, server.Request(CalType.PerDevice, "HW", ProductVersion.WindowsServer2022, At.Day(2), new Random(1)).Reason);
        var newcomer = server.Request(CalType.PerDevice, "HW-NEW", ProductVersion.WindowsServer2022, At.Day(2), new Random(1)).Cal!;
        server.Validate(newcomer.LicenseId);
        Assert.Equal(CalStatus.Temporary, server.Request(CalType.PerDevice, "HW-NEW", ProductVersion.WindowsServer2022, At.Day(3), new Random(1)).Cal!.Status);
    }

    [Fact]
    public void ReactivationNeedsAReason()
    {
        var deactivated = ActivationPolicy.Deactivate(ActivationPolicy.Activate(ActivationState.Initial, Contact, At.T0).State, At.Day(1)).State;

        var refused = ActivationPolicy.Reactivate(deactivated, "  ", At.Day(2));
        var reactivated = ActivationPolicy.Reactivate(deactivated, "The server was rebuilt.", At.Day(2));

        Assert.Equal("reason", Assert.Single(refused.Violations).Field);
        Assert.True(reactivated.Succeeded);
        Assert.True(reactivated.State.IsActivated);
        Assert.Equal("The server was rebuilt.", reactivated.State.LastReactivationReason);
    }

    [Fact]
    public void NeverActivatedServerCannotBeDeactivatedOrReactivated()
    {
        Assert.Equal(ReasonCode.ServerNotActivated, ActivationPolicy.Deactivate(ActivationState.Initial, At.T0).Reason);
        Assert.Equal(ReasonCode.ServerNotActivated, ActivationPolicy.Reactivate(ActivationState.Initial, "why", At.T0).Reason);
    }

    [Theory]
    [InlineData(false, CalType.PerDevice, CalStatus.Temporary, true)]
    [InlineData(false, CalType.PerDevice, CalStatus.Permanent, false)]
    [InlineData(false, CalType.PerUser, CalStatus.Temporary, true)]
    [InlineData(false, CalType.PerUser, CalStatus.Active, false)]
    [InlineData(true, CalType.PerDevice, CalStatus.Permanent, true)]
    [InlineData(true, CalType.PerUser, CalStatus.Active, true)]
    public void UnactivatedServerIssuesOnlyTemporaryCals(bool activated, CalType type, CalStatus status, bool allowed)
    {
        var state = activated ? ActivationPolicy.Activate(ActivationState.Initial, Contact, At.T0).State : ActivationState.Initial;

        Assert.Equal(allowed, ActivationPolicy.MayIssue(state, type, status));
    }

    [Fact]
    public void OverlongContactFieldsAndBadEmailAreRefused()
    {
        var violations = ActivationPolicy.ValidateContact(Contact with { Company = new string('x', 129), Email = "not-an-address" });

        Assert.Equal(["contact.company", "contact.email"], violations.Select(v => v.Field));
    }
}
