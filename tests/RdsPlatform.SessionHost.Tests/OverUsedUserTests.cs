using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>
/// R9 with R11: one Per User seat, X takes it on day 0, Y is OverUsed from day 70 while X's seat is held 90 days; from day 90
/// the seat is free and Y is moved into it at its next connection or sign-in.
/// </summary>
public sealed class OverUsedUserTests
{
    [Fact]
    public async Task OverUsedUserIsGivenTheFreedSeatAtItsNextSignIn()
    {
        await using var farm = new Farm();
        var y = await OverUsedOnDay89Async(farm);
        farm.AdvanceDays(2);

        var signIn = await farm.Gateway.SignInAsync(new SignInRequest { SessionId = y.SessionId });

        Assert.Equal(ReasonCode.PerUserRecorded, signIn.Reason);
        Assert.False(signIn.CertificateDetails.OverUsed);
        await AssertYHoldsTheSeatAsync(farm, y);
    }

    [Fact]
    public async Task OverUsedUserIsGivenTheFreedSeatAtItsNextConnection()
    {
        await using var farm = new Farm();
        var y = await OverUsedOnDay89Async(farm);
        farm.AdvanceDays(2);

        var connected = await farm.ConnectUserAsync("rdsh-u", "CONTOSO", "yvonne");

        Assert.True(connected.Admitted);
        Assert.Equal(ReasonCode.PerUserRecorded, connected.Reason);
        Assert.False(connected.CertificateDetails.OverUsed);
        Assert.False(connected.Certificate.Data.IsEmpty);
        await AssertYHoldsTheSeatAsync(farm, y);

        // Once in the pool, a connection is decided without the license server again.
        farm.LicenseServerDown = true;
        var again = await farm.ConnectUserAsync("rdsh-u", "CONTOSO", "yvonne");
        Assert.Equal(ReasonCode.ValidCal, again.Reason);
    }

    /// <summary>One 2022 Per User seat taken by xavier on day 0; yvonne connects on day 89 and is OverUsed; returns her connection.</summary>
    private static async Task<ConnectResponse> OverUsedOnDay89Async(Farm farm)
    {
        await farm.ConfigureAsync("rdsh-u", LicensingMode.PerUser);
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerUser, ProductVersion._2022, 1);
        Assert.Equal(ReasonCode.PerUserRecorded, (await farm.ConnectUserAsync("rdsh-u", "CONTOSO", "xavier")).Reason);
        farm.AdvanceDays(89);
        var y = await farm.ConnectUserAsync("rdsh-u", "CONTOSO", "yvonne");
        Assert.True(y.Admitted);
        Assert.Equal(ReasonCode.PerUserOverused, y.Reason);
        Assert.True(y.CertificateDetails.OverUsed);
        return y;
    }

    private static async Task AssertYHoldsTheSeatAsync(Farm farm, ConnectResponse y)
    {
        var license = Assert.Single(await farm.IssuedAsync(new ListIssuedLicensesRequest { Subject = "CONTOSO\\yvonne" }));
        Assert.Equal(y.CertificateDetails.LicenseId, license.LicenseId);
        Assert.Equal(CalStatus.Active, license.Status);
        Assert.False(string.IsNullOrEmpty(license.KeyPackId));
        var pack = Assert.Single((await farm.LicenseServer.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal(1, pack.Issued);
        Assert.Equal(0, pack.Available);
        Assert.Empty(await farm.IssuedAsync(new ListIssuedLicensesRequest { Status = CalStatus.Overused }));
    }
}
