using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>The seed's example: two shifts sharing the same computers, over 200 simulated days.</summary>
public sealed class TwoShiftScenarioTests
{
    private const int Devices = 10;
    private const int Days = 200;

    [Fact]
    public async Task TwoShiftsSharingTenDevicesNeedExactlyTenPerDeviceCals()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("rdsh-shifts", LicensingMode.PerDevice);
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, Devices);
        var kept = new CalCertificate?[Devices];

        for (var day = 0; day < Days; day++)
        {
            foreach (var shift in new[] { "morning", "evening" })
            {
                for (var d = 0; d < Devices; d++)
                {
                    var response = await farm.ConnectDeviceAsync("rdsh-shifts", $"device-{d}", kept[d], $"{shift}-{d}");
                    Assert.True(response.Admitted, $"day {day} {shift} device {d}: {response.Reason} {response.Message}");
                    if (day > 120)
                    {
                        Assert.NotEqual(ReasonCode.GracePeriod, response.Reason);
                    }

                    kept[d] = response.Certificate ?? kept[d];
                    await farm.Gateway.SignInAsync(new SignInRequest { SessionId = response.SessionId });
                    await farm.Gateway.DisconnectAsync(new DisconnectRequest { SessionId = response.SessionId });
                }
            }

            farm.AdvanceDays(1);
        }

        var issued = await farm.IssuedAsync(new ListIssuedLicensesRequest { CalType = CalType.PerDevice });
        Assert.Equal(Devices, issued.Count);
        Assert.All(issued, cal => Assert.Equal(CalStatus.Permanent, cal.Status));
        Assert.Equal(Devices, issued.Select(cal => cal.Subject).Distinct().Count());
    }

    [Fact]
    public async Task TwentyUsersAcrossTenDevicesNeedTwentyPerUserCals()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("rdsh-users", LicensingMode.PerUser);
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerUser, ProductVersion._2022, 2 * Devices);

        for (var day = 0; day < Days; day++)
        {
            for (var u = 0; u < 2 * Devices; u++)
            {
                var response = await farm.ConnectUserAsync("rdsh-users", "CONTOSO", $"user{u}", $"device-{u % Devices}");
                Assert.True(response.Admitted, $"day {day} user {u}: {response.Reason} {response.Message}");
                await farm.Gateway.SignInAsync(new SignInRequest { SessionId = response.SessionId });
            }

            farm.AdvanceDays(1);
        }

        var issued = await farm.IssuedAsync(new ListIssuedLicensesRequest { CalType = CalType.PerUser });
        Assert.Equal(2 * Devices, issued.Count);
        Assert.All(issued, cal => Assert.Equal(CalStatus.Active, cal.Status));
    }

    [Fact]
    public async Task PerUserBeyondInstalledCalsIsAdmittedAndCountedAsOverUsed()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("rdsh-users", LicensingMode.PerUser);
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerUser, ProductVersion._2022, 15);
        farm.AdvanceDays(121);

        var reasons = new List<ReasonCode>();
        for (var u = 0; u < 20; u++)
        {
            var response = await farm.ConnectUserAsync("rdsh-users", "CONTOSO", $"user{u}", $"device-{u % Devices}");
            Assert.True(response.Admitted);
            reasons.Add(response.Reason);
        }

        Assert.Equal(15, reasons.Count(r => r == ReasonCode.PerUserRecorded));
        Assert.Equal(5, reasons.Count(r => r == ReasonCode.PerUserOverused));
        var issued = await farm.IssuedAsync(new ListIssuedLicensesRequest { CalType = CalType.PerUser });
        Assert.Equal(5, issued.Count(cal => cal.Status == CalStatus.Overused));
    }
}
