namespace RdsPlatform.Licensing.Tests;

/// <summary>A CAL's subject is normalised once, written in the one stored form that existing databases hold, and read back from it.</summary>
public class CalSubjectTests
{
    [Fact]
    public void PerUserSubjectIsTheUpperCaseDomainABackslashAndTheLowerCaseUser()
    {
        Assert.Equal(@"CORP\alice", CalSubject.User(" corp ", " Alice ").ToString());
    }

    [Fact]
    public void PerUserSubjectWithoutADomainStartsWithTheBackslash()
    {
        Assert.Equal(@"\bob", CalSubject.User(null, "Bob").ToString());
        Assert.Equal(@"\bob", CalSubject.User("  ", "Bob").ToString());
    }

    [Fact]
    public void PerDeviceSubjectIsTheTrimmedHardwareIdWithItsCaseKept()
    {
        Assert.Equal("HW-Mixed-01", CalSubject.Device("  HW-Mixed-01\t").ToString());
    }

    [Fact]
    public void UsersThatDifferOnlyInCaseAndSurroundingSpacesAreTheSameSubject()
    {
        Assert.Equal(CalSubject.User("corp", "ALICE"), CalSubject.User(" CORP", "alice "));
        Assert.NotEqual(CalSubject.User("corp", "alice"), CalSubject.User("other", "alice"));
    }

    [Fact]
    public void ParsingAStoredPerUserSubjectGivesItsDomainAndUserAndFormatsBackToTheSameText()
    {
        var subject = CalSubject.Parse(CalType.PerUser, @"CORP\alice");

        Assert.Equal(("CORP", "alice"), (subject.Domain, subject.UserName));
        Assert.Equal(@"CORP\alice", subject.ToString());
    }

    [Fact]
    public void ParsingASubjectWithoutABackslashGivesAUserOutsideADomain()
    {
        var subject = CalSubject.Parse(CalType.PerUser, "alice");

        Assert.Equal(("", "alice"), (subject.Domain, subject.UserName));
    }

    [Fact]
    public void ParsingSplitsAtTheFirstBackslashOnly()
    {
        var subject = CalSubject.Parse(CalType.PerUser, @"CORP\odd\name");

        Assert.Equal(("CORP", @"odd\name"), (subject.Domain, subject.UserName));
    }

    [Fact]
    public void ParsingAPerDeviceSubjectKeepsTheWholeHardwareId()
    {
        var subject = CalSubject.Parse(CalType.PerDevice, @"HW\01");

        Assert.Equal((@"HW\01", "", ""), (subject.HardwareId, subject.Domain, subject.UserName));
        Assert.Equal(@"HW\01", subject.ToString());
    }

    [Fact]
    public void ARequestsSubjectIsItsDeviceForPerDeviceAndItsUserForPerUser()
    {
        Assert.Equal("HW-7", CalSubject.Of(CalType.PerDevice, " HW-7 ", "corp", "alice").ToString());
        Assert.Equal(@"CORP\alice", CalSubject.Of(CalType.PerUser, "HW-7", "corp", "Alice").ToString());
    }

    [Theory]
    [InlineData(CalType.PerDevice, " HW-7 ", "corp", "alice")]
    [InlineData(CalType.PerDevice, null, null, null)]
    [InlineData(CalType.PerUser, "HW-7", " corp ", " Alice ")]
    [InlineData(CalType.PerUser, null, null, "Bob")]
    [InlineData(CalType.PerUser, null, "", null)]
    public void TheStoredFormFormattedDirectlyIsTheFormOfTheSubjectBuiltFromTheSameParts(CalType type, string? hardwareId, string? domain, string? user)
    {
        Assert.Equal(CalSubject.Of(type, hardwareId, domain, user).ToString(), CalSubject.Format(type, hardwareId, domain, user));
    }
}
