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
        var page = await OpenSeededPageAsync(path, heading);
        await page.ScreenshotAsync(new() { Animations = ScreenshotAnimations.Disabled, Path = Screenshots.PathOf(screenshot), FullPage = true });

        AssertNoSeriousViolation(await page.RunAxe(), path);
    }

    /// <summary>
    /// On a 1366-pixel screen no column title or value of a grid is cut off (Radzen ends text that does not fit its column
    /// with an ellipsis): an administrator reads a key pack's CAL type, an audit event's detail, a CAL's subject whole.
    /// </summary>
    [Theory]
    [InlineData("key-packs", "Key packs")]
    [InlineData("cals", "Issued CALs")]
    [InlineData("session-hosts", "Session hosts")]
    [InlineData("reports", "Reports")]
    [InlineData("audit", "Audit trail")]
    public async Task EveryGridShowsItsTitlesAndValuesWhole(string path, string heading)
    {
        var page = await OpenSeededPageAsync(path, heading);
        await page.Locator(".rz-data-grid tbody tr td").First.WaitForAsync();

        // A title or value wider than its box is cut off; a grid wider than its box hides whole columns behind a scroll bar.
        var cut = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('.rz-data-grid th .rz-column-title-content, .rz-data-grid td .rz-cell-data, .rz-data-grid-data')]
                .filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1 && !e.matches('.rz-data-grid-data'))
                .map(e => e.matches('.rz-data-grid-data')
                    ? `the grid itself (${e.clientWidth} of ${e.scrollWidth} px wide)`
                    : `'${e.textContent.trim()}' (${e.clientWidth} of ${e.scrollWidth} px wide)`)
            """);
        Assert.True(cut.Length == 0, $"/{path}: cut off: {string.Join(", ", cut)}");
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

    /// <summary>A page of the seeded farm, signed in as an admin, once it is interactive and its data has loaded.</summary>
    private async Task<IPage> OpenSeededPageAsync(string path, string heading)
    {
        await SeedOnceAsync();
        var page = await topology.SignedInPageAsync(TestKeys.Admin);

        await page.GotoAsync(path);
        await page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 }).WaitForAsync();
        await ManagerTopology.WaitForInteractivityAsync(page);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        return page;
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
