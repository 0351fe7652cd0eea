using System.Diagnostics;
using Microsoft.Playwright;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;

namespace RdsPlatform.Manager.Tests;

/// <summary>Installing a key pack from the browser: field errors by their fields, and the overview follows.</summary>
[Collection(ManagerCollection.Name)]
public sealed class KeyPackInstallTests(ManagerTopology topology)
{
    [Fact]
    public async Task ABadCodeShowsTheErrorByItsFieldAndAGoodOneRaisesTheOverview()
    {
        var page = await topology.SignedInPageAsync(TestKeys.Admin);
        var before = await InstalledAsync(page, "Per Device 2016");

        await page.GotoAsync("key-packs");
        await ManagerTopology.WaitForInteractivityAsync(page);
        await Choose(page, "Product version", "Windows Server 2016");
        await page.GetByLabel("License code (25 characters)").FillAsync("12345");
        await page.Locator("#count").FillAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Install", Exact = true }).ClickAsync();
        var error = page.Locator("#error-retail_code");
        await Assertions.Expect(error).ToBeVisibleAsync();
        await Assertions.Expect(error).ToContainTextAsync("25");
        Assert.Equal("error-retail_code", await page.GetByLabel("License code (25 characters)").GetAttributeAsync("aria-describedby"));
        await page.ScreenshotAsync(new() { Animations = ScreenshotAnimations.Disabled, Path = Screenshots.PathOf("key-pack-field-error"), FullPage = true });

        await page.GetByLabel("License code (25 characters)").FillAsync(Seed.NewRetailCode());
        await page.GetByRole(AriaRole.Button, new() { Name = "Install", Exact = true }).ClickAsync();
        await Assertions.Expect(error).ToHaveCountAsync(0);

        // The reporting service caches the compliance summary for a few seconds (Reporting:ComplianceCacheSeconds).
        var after = before;
        for (var wait = Stopwatch.StartNew(); after != before + 7 && wait.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(500))
        {
            after = await InstalledAsync(page, "Per Device 2016");
        }

        Assert.Equal(before + 7, after);
        await page.ScreenshotAsync(new() { Animations = ScreenshotAnimations.Disabled, Path = Screenshots.PathOf("overview-after-install"), FullPage = true });
    }

    /// <summary>The overview's installed count of a pool (0 when the pool does not exist yet).</summary>
    private static async Task<int> InstalledAsync(IPage page, string pool)
    {
        await page.GotoAsync("");
        await page.GetByRole(AriaRole.Heading, new() { Name = "CAL pools" }).WaitForAsync();
        var row = page.Locator($"tr[data-pool='{pool}'] td.installed");
        return await row.CountAsync() == 0 ? 0 : int.Parse(await row.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static async Task Choose(IPage page, string label, string option)
    {
        await page.GetByLabel(label, new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
    }
}

/// <summary>Devices connected through the gateway are listed among the CALs, and one is revoked after its allowance is shown.</summary>
[Collection(ManagerCollection.Name)]
public sealed class CalRevokeTests(ManagerTopology topology)
{
    [Fact]
    public async Task DevicesConnectedThroughTheGatewayAreListedAndOneIsRevokedAfterTheAllowanceIsShown()
    {
        var seed = new Seed(topology);
        await seed.ActivateAsync();
        await seed.InstallAsync(CalType.PerDevice, ProductVersion._2019, 10);
        await seed.ConfigureHostAsync("rdsh-revoke", version: ProductVersion._2019);
        await seed.ConnectDeviceUntilPermanentAsync("rdsh-revoke", "revoke-device-1");
        await seed.ConnectDeviceUntilPermanentAsync("rdsh-revoke", "revoke-device-2");
        var page = await topology.SignedInPageAsync(TestKeys.Admin);

        await page.GotoAsync("cals");
        await ManagerTopology.WaitForInteractivityAsync(page);
        await KeyPackInstallTests.Choose(page, "Version", "Windows Server 2019");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        var grid = page.Locator(".cals-grid");
        await Assertions.Expect(grid).ToContainTextAsync("revoke-device-1");
        await Assertions.Expect(grid).ToContainTextAsync("revoke-device-2");

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke the CAL of revoke-device-1" }).ClickAsync();
        var dialog = page.Locator(".rz-dialog");
        await dialog.WaitForAsync();
        await page.ScreenshotAsync(new() { Animations = ScreenshotAnimations.Disabled, Path = Screenshots.PathOf("revoke-confirm") });
        await Assertions.Expect(dialog).ToContainTextAsync("2 of 2 revocations allowed for this version now; after this one, 1 remain");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();

        await Assertions.Expect(page.Locator(".rz-notification")).ToContainTextAsync("1 more may be revoked");
        await Assertions.Expect(grid.Locator("tr", new() { HasText = "revoke-device-1" })).ToContainTextAsync("Revoked");
    }
}

/// <summary>A Per Device report generated in the browser, its CSV downloaded through the manager's endpoint.</summary>
[Collection(ManagerCollection.Name)]
public sealed class ReportDownloadTests(ManagerTopology topology)
{
    [Fact]
    public async Task APerDeviceReportIsGeneratedAndItsCsvDownloads()
    {
        var seed = new Seed(topology);
        await seed.ActivateAsync();
        await seed.InstallAsync(CalType.PerDevice, ProductVersion._2022, 5);
        await seed.ConfigureHostAsync("rdsh-report");
        await seed.ConnectDeviceUntilPermanentAsync("rdsh-report", "report-device-1");
        var page = await topology.SignedInPageAsync(TestKeys.Reporter);

        await page.GotoAsync("reports");
        await ManagerTopology.WaitForInteractivityAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
        await Assertions.Expect(page.Locator(".report-entries")).ToContainTextAsync("report-device-1");
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.Locator(".download-csv").First.ClickAsync());
        var path = await download.PathAsync();
        var csv = await File.ReadAllTextAsync(path);

        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        Assert.Contains("report-device-1", csv, StringComparison.Ordinal);
        Assert.True(csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 2, csv);
    }
}

/// <summary>The audit trail's live tail shows an event as soon as the license server commits it.</summary>
[Collection(ManagerCollection.Name)]
public sealed class LiveAuditTailTests(ManagerTopology topology)
{
    [Fact]
    public async Task ANewEventArrivesInTheLiveTailWithoutReloading()
    {
        var seed = new Seed(topology);
        await seed.ConfigureHostAsync("rdsh-tail");
        var page = await topology.SignedInPageAsync(TestKeys.Admin);
        await page.GotoAsync("audit");
        await ManagerTopology.WaitForInteractivityAsync(page);
        await Assertions.Expect(page.Locator(".tail-state")).ToContainTextAsync("Live");
        var hardwareId = "tail-" + Guid.NewGuid().ToString("N")[..8];

        await seed.Gateway(TestKeys.Client).ConnectAsync(new ConnectRequest
        {
            HostId = "rdsh-tail",
            Device = new Device { HardwareId = hardwareId, ComputerName = "PC-TAIL" },
            User = new User { Domain = "CONTOSO", Name = "tail" },
        }, deadline: DateTime.UtcNow.AddSeconds(30));

        await Assertions.Expect(page.Locator(".audit-grid")).ToContainTextAsync(hardwareId, new() { Timeout = 20_000 });
    }
}

/// <summary>A reporter key reads, and is not offered what it may not do.</summary>
[Collection(ManagerCollection.Name)]
public sealed class ReporterRoleTests(ManagerTopology topology)
{
    [Fact]
    public async Task AReporterKeySeesNoInstallRevokeOrConfigureButton()
    {
        var seed = new Seed(topology);
        await seed.ActivateAsync();
        await seed.InstallAsync(CalType.PerDevice, ProductVersion._2022, 5);
        await seed.ConfigureHostAsync("rdsh-reporter");
        await seed.ConnectDeviceUntilPermanentAsync("rdsh-reporter", "reporter-device-1");
        var page = await topology.SignedInPageAsync(TestKeys.Reporter);

        await page.GotoAsync("key-packs");
        await ManagerTopology.WaitForInteractivityAsync(page);
        await Assertions.Expect(page.Locator(".key-packs")).ToContainTextAsync("Per Device");
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Install", Exact = true }).CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Uninstall") }).CountAsync());
        await page.ScreenshotAsync(new() { Animations = ScreenshotAnimations.Disabled, Path = Screenshots.PathOf("key-packs-reporter"), FullPage = true });

        await page.GotoAsync("cals");
        await ManagerTopology.WaitForInteractivityAsync(page);
        await Assertions.Expect(page.Locator(".cals-grid")).ToContainTextAsync("reporter-device-1");
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Revoke") }).CountAsync());

        await page.GotoAsync("session-hosts");
        await ManagerTopology.WaitForInteractivityAsync(page);
        await Assertions.Expect(page.Locator(".hosts-grid")).ToContainTextAsync("rdsh-reporter");
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Diagnose") }).CountAsync());
    }
}
