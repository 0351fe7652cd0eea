using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>Restarts, cache flushes and outages of the cache or the license server change no decision.</summary>
public sealed class DegradedModeTests(GarnetFixture garnet) : IClassFixture<GarnetFixture>
{
    [Fact]
    public async Task GatewayRestartAndCacheFlushChangeNoDecisionAndDoNotResetGrace()
    {
        await using var farm = new Farm(garnet.ConnectionString);
        await farm.ConfigureAsync("rdsh-1", LicensingMode.PerDevice);
        farm.AdvanceDays(30);
        var first = await farm.ConnectDeviceAsync("rdsh-1", "dev-1");
        var before = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", first.Certificate);

        await farm.RestartGatewayAsync();
        await garnet.FlushAsync();
        await farm.ConfigureAsync("rdsh-1", LicensingMode.PerDevice);

        var grace = await farm.Gateway.GetGracePeriodAsync(new GetGracePeriodRequest { HostId = "rdsh-1" });
        Assert.Equal(90, grace.DaysLeft);
        Assert.True(grace.InGrace);
        var after = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", first.Certificate);
        Assert.Equal(before.Reason, after.Reason);
        Assert.Equal(before.Admitted, after.Admitted);
        Assert.Equal(before.CertificateDetails.LicenseId, after.CertificateDetails.LicenseId);
    }

    [Fact]
    public async Task DeviceThatLostItsCertificateGetsItsOwnCalBack()
    {
        await using var farm = new Farm(garnet.ConnectionString);
        await farm.ConfigureAsync("rdsh-1", LicensingMode.PerDevice);
        var first = await farm.ConnectDeviceAsync("rdsh-1", "dev-lost");

        await farm.RestartGatewayAsync();
        await garnet.FlushAsync();
        var again = await farm.ConnectDeviceAsync("rdsh-1", "dev-lost");

        Assert.True(again.Admitted, again.ToString());
        Assert.Equal(first.CertificateDetails.LicenseId, again.CertificateDetails.LicenseId);
        Assert.NotEmpty(again.Certificate.Data);
        var issued = await farm.IssuedAsync(new ListIssuedLicensesRequest { Subject = "dev-lost" });
        Assert.Single(issued);
    }

    [Fact]
    public async Task CacheDownDecisionsStayCorrectAndRecover()
    {
        await using var farm = new Farm(garnet.ConnectionString);
        await farm.ConfigureAsync("rdsh-1", LicensingMode.PerDevice);
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, 5);
        try
        {
            garnet.Stop();
            var temporary = await farm.ConnectDeviceAsync("rdsh-1", "dev-1");
            Assert.Equal(ReasonCode.TemporaryCalIssued, temporary.Reason);
            await farm.Gateway.SignInAsync(new SignInRequest { SessionId = temporary.SessionId });
            var upgraded = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", temporary.Certificate);
            Assert.Equal(ReasonCode.CalUpgraded, upgraded.Reason);
            farm.AdvanceDays(121);
            var valid = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", upgraded.Certificate);
            Assert.True(valid.Admitted);
            Assert.Contains(valid.Reason, new[] { ReasonCode.ValidCal, ReasonCode.CalRenewed });
        }
        finally
        {
            garnet.Start();
        }

        var recovered = await farm.ConnectDeviceAsync("rdsh-1", "dev-2");
        Assert.True(recovered.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalIssued, recovered.Reason);
    }

    [Fact]
    public async Task LicenseServerDownValidCertificatesAreAdmittedAndNewDevicesRefusedAfterGrace()
    {
        await using var farm = new Farm(garnet.ConnectionString);
        await farm.ConfigureAsync("rdsh-1", LicensingMode.PerDevice);
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, 5);
        var temporary = await farm.ConnectDeviceAsync("rdsh-1", "dev-1");
        await farm.Gateway.SignInAsync(new SignInRequest { SessionId = temporary.SessionId });
        var permanent = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", temporary.Certificate);
        Assert.Equal(ReasonCode.CalUpgraded, permanent.Reason);

        farm.LicenseServerDown = true;
        var inGrace = await farm.ConnectDeviceAsync("rdsh-1", "dev-new");
        Assert.True(inGrace.Admitted);
        Assert.Equal(ReasonCode.GracePeriod, inGrace.Reason);

        farm.LicenseServerDown = false;
        var cert = permanent.Certificate;
        for (var day = 0; day < 121; day++)
        {
            farm.AdvanceDays(1);
            var daily = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", cert);
            cert = daily.Certificate ?? cert;
        }

        // A restart while the license server is down: its public key comes from the gateway's own file.
        farm.LicenseServerDown = true;
        await farm.RestartGatewayAsync();
        var valid = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", cert);
        Assert.True(valid.Admitted, valid.Message);
        Assert.Equal(ReasonCode.ValidCal, valid.Reason);

        var refused = await farm.ConnectDeviceAsync("rdsh-1", "dev-other");
        Assert.False(refused.Admitted);
        Assert.Equal(ReasonCode.NoLicenseServer, refused.Reason);

        farm.LicenseServerDown = false;
        var recovered = await farm.ConnectDeviceAsync("rdsh-1", "dev-other");
        Assert.True(recovered.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalIssued, recovered.Reason);
    }
}
