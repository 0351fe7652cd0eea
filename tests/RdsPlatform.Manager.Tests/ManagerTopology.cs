using Microsoft.Playwright;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.Manager.Tests;

/// <summary>
/// The real AppHost of the shared <see cref="AppHostTopology"/> (embedded cache, simulated time, a fresh data folder) with
/// the manager, and a headless Debian Chromium driven by Playwright. One per test collection: starting both costs several seconds.
/// </summary>
public sealed class ManagerTopology : AppHostTopology
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public Uri ManagerUrl { get; private set; } = null!;

    protected override TimeSpan StartTimeout => TimeSpan.FromMinutes(4);

    protected override IEnumerable<string> Resources => base.Resources.Append(ResourceNames.Manager);

    public override async Task InitializeAsync()
    {
        // Checked first: without the browser there is nothing to test, and starting the topology would only hide why.
        var chromium = Chromium.Find();
        await base.InitializeAsync();
        ManagerUrl = App.GetEndpoint(ResourceNames.Manager, "http");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // Chromium's sandbox refuses to start as root, which CI is.
            Args = ["--no-sandbox"],
        });
    }

    /// <summary>A new browser context (its own cookies) with a page at the manager's address.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = ManagerUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>A new page signed in with the given key, showing the overview.</summary>
    public async Task<IPage> SignedInPageAsync(string key)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("signin");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 }).WaitForAsync();
        await WaitForInteractivityAsync(page);
        return page;
    }

    /// <summary>Waits until the page's Blazor circuit is connected, so that clicks reach the server.</summary>
    public static async Task WaitForInteractivityAsync(IPage page) =>
        await page.Locator("main[data-interactive='true']").WaitForAsync();

    public override async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ManagerCollection : ICollectionFixture<ManagerTopology>
{
    public const string Name = "manager";
}

/// <summary>Debian's chromium package: the only browser these machines can run (Playwright's own download cannot work here).</summary>
public static class Chromium
{
    public static string Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "chromium"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException(
            "The end-to-end tests drive Debian's Chromium, and no 'chromium' command is on the PATH. Install the Debian package: `apt-get install -y chromium` (as root; .ci/run does it).");
}
