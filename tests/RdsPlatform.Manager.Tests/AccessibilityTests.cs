using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using RdsPlatform.Contracts.Common.V1;

namespace RdsPlatform.Manager.Tests;

/// <summary>Every page, on a farm with data, has no serious or critical axe violation; the screenshots in docs/manager come from here.</summary>
[Collection(ManagerCollection.Name)]
public sealed class AccessibilityTests(ManagerTopology topology)
{
    [Theory]
    [InlineData("", "Overview", "overview")]
    [InlineData("key-packs", "Key packs", "key-packs")]
    [InlineData("cals", "Issued CALs", "cals")]
    [InlineData("session-hosts", "Session hosts", "session-hosts")]
    [InlineData("reports", "Reports", "reports")]
    [InlineData("audit", "Audit trail", "audit")]
    [InlineData("clock", "Clock", "clock")]
    public async Task EveryPageHasNoSeriousOrCriticalAccessibilityViolation(string path, string heading, string screenshot)
    {
        await SeedOnceAsync();
        var page = await topology.SignedInPageAsync(TestKeys.Admin);

        await page.GotoAsync(path);
        await page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 }).WaitForAsync();
        await ManagerTopology.WaitForInteractivityAsync(page);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.ScreenshotAsync(new() { Animations = ScreenshotAnimations.Disabled, Path = Screenshots.PathOf(screenshot), FullPage = true });

        AssertNoSeriousViolation(await page.RunAxe(), path);
    }

    [Fact]
    public async Task TheSignInPageHasNoSeriousOrCriticalAccessibilityViolation()
    {
        var page = await topology.NewPageAsync();
        await page.GotoAsync("signin");
        await page.ScreenshotAsync(new() { Animations = ScreenshotAnimations.Disabled, Path = Screenshots.PathOf("signin") });

        AssertNoSeriousViolation(await page.RunAxe(), "signin");
    }

    internal static void AssertNoSeriousViolation(AxeResult result, string page)
    {
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"/{page}: " + string.Join(Environment.NewLine, serious.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}")));
    }

    private static readonly SemaphoreSlim Seeded = new(1, 1);
    private static bool _seeded;

    /// <summary>Data on every page: an activated server, two packs, hosts, devices with permanent CALs, a report.</summary>
    private async Task SeedOnceAsync()
    {
        await Seeded.WaitAsync();
        try
        {
            if (_seeded)
            {
                return;
            }

            var seed = new Seed(topology);
            await seed.ActivateAsync();
            await seed.InstallAsync(CalType.PerDevice, ProductVersion._2022, 25);
            await seed.InstallAsync(CalType.PerUser, ProductVersion._2022, 10);
            await seed.ConfigureHostAsync("rdsh-tour-1");
            await seed.ConfigureHostAsync("rdsh-tour-2", LicensingMode.PerUser);
            for (var i = 0; i < 3; i++)
            {
                await seed.ConnectDeviceUntilPermanentAsync("rdsh-tour-1", $"tour-device-{i}");
            }

            await seed.GenerateReportAsync(RdsPlatform.Contracts.Reporting.V1.ReportKind.PerDevice);

            _seeded = true;
        }
        finally
        {
            Seeded.Release();
        }
    }
}
