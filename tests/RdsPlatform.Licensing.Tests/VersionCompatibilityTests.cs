namespace RdsPlatform.Licensing.Tests;

public class VersionCompatibilityTests
{
    // Seed table 1 (session host rows × CAL columns), extended with 2025.
    [Theory]
    [InlineData(ProductVersion.WindowsServer2016, ProductVersion.WindowsServer2016, true)]
    [InlineData(ProductVersion.WindowsServer2016, ProductVersion.WindowsServer2019, true)]
    [InlineData(ProductVersion.WindowsServer2016, ProductVersion.WindowsServer2022, true)]
    [InlineData(ProductVersion.WindowsServer2016, ProductVersion.WindowsServer2025, true)]
    [InlineData(ProductVersion.WindowsServer2019, ProductVersion.WindowsServer2016, false)]
    [InlineData(ProductVersion.WindowsServer2019, ProductVersion.WindowsServer2019, true)]
    [InlineData(ProductVersion.WindowsServer2019, ProductVersion.WindowsServer2022, true)]
    [InlineData(ProductVersion.WindowsServer2019, ProductVersion.WindowsServer2025, true)]
    [InlineData(ProductVersion.WindowsServer2022, ProductVersion.WindowsServer2016, false)]
    [InlineData(ProductVersion.WindowsServer2022, ProductVersion.WindowsServer2019, false)]
    [InlineData(ProductVersion.WindowsServer2022, ProductVersion.WindowsServer2022, true)]
    [InlineData(ProductVersion.WindowsServer2022, ProductVersion.WindowsServer2025, true)]
    [InlineData(ProductVersion.WindowsServer2025, ProductVersion.WindowsServer2016, false)]
    [InlineData(ProductVersion.WindowsServer2025, ProductVersion.WindowsServer2019, false)]
    [InlineData(ProductVersion.WindowsServer2025, ProductVersion.WindowsServer2022, false)]
    [InlineData(ProductVersion.WindowsServer2025, ProductVersion.WindowsServer2025, true)]
    public void CalServesSessionHostOfItsVersionOrEarlier(ProductVersion host, ProductVersion cal, bool serves) =>
        Assert.Equal(serves, VersionCompatibility.CalServesHost(cal, host));

    // Seed table 2 (license server rows × CAL columns), extended with 2025.
    [Theory]
    [InlineData(ProductVersion.WindowsServer2016, ProductVersion.WindowsServer2016, true)]
    [InlineData(ProductVersion.WindowsServer2016, ProductVersion.WindowsServer2019, false)]
    [InlineData(ProductVersion.WindowsServer2016, ProductVersion.WindowsServer2022, false)]
    [InlineData(ProductVersion.WindowsServer2016, ProductVersion.WindowsServer2025, false)]
    [InlineData(ProductVersion.WindowsServer2019, ProductVersion.WindowsServer2016, true)]
    [InlineData(ProductVersion.WindowsServer2019, ProductVersion.WindowsServer2019, true)]
    [InlineData(ProductVersion.WindowsServer2019, ProductVersion.WindowsServer2022, false)]
    [InlineData(ProductVersion.WindowsServer2019, ProductVersion.WindowsServer2025, false)]
    [InlineData(ProductVersion.WindowsServer2022, ProductVersion.WindowsServer2016, true)]
    [InlineData(ProductVersion.WindowsServer2022, ProductVersion.WindowsServer2019, true)]
    [InlineData(ProductVersion.WindowsServer2022, ProductVersion.WindowsServer2022, true)]
    [InlineData(ProductVersion.WindowsServer2022, ProductVersion.WindowsServer2025, false)]
    [InlineData(ProductVersion.WindowsServer2025, ProductVersion.WindowsServer2016, true)]
    [InlineData(ProductVersion.WindowsServer2025, ProductVersion.WindowsServer2019, true)]
    [InlineData(ProductVersion.WindowsServer2025, ProductVersion.WindowsServer2022, true)]
    [InlineData(ProductVersion.WindowsServer2025, ProductVersion.WindowsServer2025, true)]
    public void LicenseServerHostsPacksOfItsVersionAndEarlier(ProductVersion server, ProductVersion pack, bool hosts)
    {
        Assert.Equal(hosts, VersionCompatibility.ServerHostsPack(server, pack));

        var validation = KeyPackValidator.Validate(new KeyPackRequest(KeyPackProgram.Retail, pack, CalType.PerDevice, 10, "ABCDE-12345-FGHIJ-67890-KLMNO"), server);
        Assert.Equal(hosts, validation.IsValid);
    }

    [Fact]
    public void VersionNamesReadLikeWindows()
    {
        Assert.Equal("Windows Server 2025", VersionCompatibility.ServerName(ProductVersion.WindowsServer2025));
        Assert.Equal("RDS 2019", VersionCompatibility.CalName(ProductVersion.WindowsServer2019));
        Assert.False(VersionCompatibility.IsKnown((ProductVersion)2012));
    }
}
