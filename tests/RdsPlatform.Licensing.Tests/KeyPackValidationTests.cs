namespace RdsPlatform.Licensing.Tests;

public class KeyPackValidationTests
{
    private const ProductVersion Server = ProductVersion.WindowsServer2025;

    private static KeyPackRequest Retail(string? code, int count = 10, ProductVersion version = ProductVersion.WindowsServer2022) =>
        new(KeyPackProgram.Retail, version, CalType.PerDevice, count, RetailCode: code);

    [Theory]
    [InlineData("ABCDE-12345-FGHIJ-67890-KLMNO")]
    [InlineData("ABCDE12345FGHIJ67890KLMNO")]
    [InlineData("abcde-12345-fghij-67890-klmno")]
    [InlineData("  abcde12345fghij67890klmno ")]
    public void RetailCodeIsAcceptedWithOrWithoutDashesAndStoredInOneCanonicalForm(string code)
    {
        var result = KeyPackValidator.Validate(Retail(code), Server);

        Assert.True(result.IsValid);
        Assert.Equal("RETAIL:ABCDE-12345-FGHIJ-67890-KLMNO", result.InstallKey);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ABCDE-12345-FGHIJ-67890-KLMN")]
    [InlineData("ABCDE-12345-FGHIJ-67890-KLMNOP")]
    [InlineData("ABCD-E12345-FGHIJ-67890-KLMNO")]
    [InlineData("ABCDE_12345_FGHIJ_67890_KLMNO")]
    [InlineData("ABCDE-12345-FGHIJ67890-KLMNO")]
    [InlineData("ABCDE-12345-FGHIJ-67890-KLMN!")]
    [InlineData("ABCDÉ-12345-FGHIJ-67890-KLMNO")]
    public void MalformedRetailCodeIsRefused(string? code)
    {
        var result = KeyPackValidator.Validate(Retail(code), Server);

        var violation = Assert.Single(result.Violations);
        Assert.Equal(KeyPackFields.RetailCode, violation.Field);
        Assert.Null(result.InstallKey);
        Assert.Equal(ReasonCode.InvalidInput, result.Reason);
    }

    [Fact]
    public void OpenLicenseNeedsEightDigitNumberAndFifteenCharacterAuthorization()
    {
        var valid = KeyPackValidator.Validate(new KeyPackRequest(KeyPackProgram.OpenLicense, ProductVersion.WindowsServer2022, CalType.PerUser, 50,
            LicenseNumber: "12345678", AuthorizationNumber: "abcde12345fghij"), Server);
        Assert.True(valid.IsValid);
        Assert.Equal("OPEN:12345678:ABCDE12345FGHIJ:2022:PerUser", valid.InstallKey);

        var invalid = KeyPackValidator.Validate(new KeyPackRequest(KeyPackProgram.OpenLicense, ProductVersion.WindowsServer2022, CalType.PerUser, 50,
            LicenseNumber: "1234567A", AuthorizationNumber: "ABCDE12345FGHI"), Server);
        Assert.Equal([KeyPackFields.OpenLicenseNumber, KeyPackFields.AuthorizationNumber], invalid.Violations.Select(v => v.Field));
    }

    [Theory]
    [InlineData(AgreementType.Select)]
    [InlineData(AgreementType.Enterprise)]
    [InlineData(AgreementType.Campus)]
    [InlineData(AgreementType.School)]
    [InlineData(AgreementType.Spla)]
    [InlineData(AgreementType.Other)]
    public void AgreementNeedsATypeAndSevenDigitNumber(AgreementType type)
    {
        var result = KeyPackValidator.Validate(new KeyPackRequest(KeyPackProgram.Agreement, ProductVersion.WindowsServer2019, CalType.PerDevice, 100,
            AgreementType: type, AgreementNumber: "1234567"), Server);

        Assert.True(result.IsValid);
        Assert.Equal($"AGREEMENT:{type}:1234567:2019:PerDevice", result.InstallKey);
    }

    [Fact]
    public void AgreementWithoutTypeAndWithShortNumberReportsBothFields()
    {
        var result = KeyPackValidator.Validate(new KeyPackRequest(KeyPackProgram.Agreement, ProductVersion.WindowsServer2019, CalType.PerDevice, 100,
            AgreementNumber: "123456"), Server);

        Assert.Equal([KeyPackFields.AgreementType, KeyPackFields.AgreementNumber], result.Violations.Select(v => v.Field));
    }

    [Fact]
    public void EveryViolationIsReportedNotJustTheFirst()
    {
        var request = new KeyPackRequest(KeyPackProgram.Retail, (ProductVersion)1999, (CalType)9, 0, RetailCode: "nope");

        var result = KeyPackValidator.Validate(request, Server);

        Assert.Equal(
            [KeyPackFields.Version, KeyPackFields.CalType, KeyPackFields.Count, KeyPackFields.RetailCode],
            result.Violations.Select(v => v.Field));
        Assert.All(result.Violations, v => Assert.EndsWith(".", v.Description, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(1_000_000, true)]
    [InlineData(1_000_001, false)]
    [InlineData(-5, false)]
    public void CountMustBeBetweenOneAndOneMillion(int count, bool valid) =>
        Assert.Equal(valid, KeyPackValidator.Validate(Retail("ABCDE12345FGHIJ67890KLMNO", count), Server).IsValid);

    [Fact]
    public void PackNewerThanTheLicenseServerIsRefusedNamingBothVersions()
    {
        var result = KeyPackValidator.Validate(Retail("ABCDE12345FGHIJ67890KLMNO", version: ProductVersion.WindowsServer2025), ProductVersion.WindowsServer2019);

        var violation = Assert.Single(result.Violations);
        Assert.Equal(KeyPackFields.Version, violation.Field);
        Assert.Equal(ReasonCode.VersionNotHosted, result.Reason);
        Assert.Contains("Windows Server 2019", violation.Description, StringComparison.Ordinal);
        Assert.Contains("RDS 2025", violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownProgramAndNullRequestAreRefusedWithoutThrowing()
    {
        Assert.Equal(KeyPackFields.Program, Assert.Single(KeyPackValidator.Validate(
            new KeyPackRequest((KeyPackProgram)0, ProductVersion.WindowsServer2022, CalType.PerDevice, 1), Server).Violations).Field);
        Assert.False(KeyPackValidator.Validate(null, Server).IsValid);
    }

    [Fact]
    public void RemovingLicensesTakesOnlyUnissuedOnes()
    {
        var pack = new KeyPackSnapshot(Guid.NewGuid(), ProductVersion.WindowsServer2022, CalType.PerDevice, 10, 7, At.T0);

        Assert.Equal(7, KeyPackRules.RemoveLicenses(pack, 3).Installed);
        var refused = KeyPackRules.RemoveLicenses(pack, 4);
        Assert.False(refused.Allowed);
        Assert.Equal(ReasonCode.LicensesInUse, refused.Reason);
        Assert.Equal(10, refused.Installed);
        Assert.False(KeyPackRules.RemoveLicenses(pack, 0).Allowed);
    }

    [Fact]
    public void OnlyAnEmptyPackCanBeUninstalled()
    {
        var pack = new KeyPackSnapshot(Guid.NewGuid(), ProductVersion.WindowsServer2022, CalType.PerDevice, 10, 1, At.T0);

        Assert.False(KeyPackRules.Uninstall(pack).Allowed);
        Assert.True(KeyPackRules.Uninstall(pack with { Occupied = 0 }).Allowed);
    }
}
