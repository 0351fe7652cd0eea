namespace RdsPlatform.Licensing.Tests;

/// <summary>How the gateway reads a license server's answer and the scope of a connection.</summary>
public class LicenseServerAnswerTests
{
    private static readonly DateTimeOffset PastGrace = At.Day(130);

    [Theory]
    [InlineData(ReasonCode.TemporaryCalIssued, true)]
    [InlineData(ReasonCode.CalUpgraded, true)]
    [InlineData(ReasonCode.ValidCal, true)]
    [InlineData(ReasonCode.CalRenewed, true)]
    [InlineData(ReasonCode.PerUserRecorded, true)]
    [InlineData(ReasonCode.PerUserOverUsed, true)]
    [InlineData(ReasonCode.NoLicensesAvailable, false)]
    [InlineData(ReasonCode.CalRevoked, false)]
    [InlineData(ReasonCode.PerUserNotTracked, false)]
    public void OnlyGrantingReasonsHandTheClientACal(ReasonCode reason, bool grant) => Assert.Equal(grant, ConnectionPolicy.IsGrant(reason));

    [Fact]
    public void AServerInAWorkgroupMakesAPerUserConnectionNotTracked()
    {
        var facts = new ConnectionFacts(LicensingMode.PerUser, ProductVersion.WindowsServer2022, ServerScope.Domain, At.T0, PastGrace);

        var decision = ConnectionPolicy.Conclude(facts, new LicenseServerAnswer(false, ReasonCode.PerUserNotTracked, null));

        Assert.True(decision.Admitted);
        Assert.Equal(ReasonCode.PerUserNotTracked, decision.Reason);
        Assert.Contains("Not Tracking", decision.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", null, ServerScope.Workgroup)]
    [InlineData("  ", ServerScope.Domain, ServerScope.Workgroup)]
    [InlineData("CONTOSO", null, ServerScope.Domain)]
    [InlineData("CONTOSO", ServerScope.Domain, ServerScope.Domain)]
    [InlineData("CONTOSO", ServerScope.Workgroup, ServerScope.Workgroup)]
    public void AUserIsTrackedOnlyInADomainWhoseFirstServerIsNotInAWorkgroup(string domain, ServerScope? firstServer, ServerScope expected) =>
        Assert.Equal(expected, ConnectionPolicy.ScopeFor(domain, firstServer));
}
