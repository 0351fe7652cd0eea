extern alias apphost;

using Aspire.Hosting;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Playwright;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.Manager.Tests;

/// <summary>
/// The real AppHost (embedded cache, simulated time, a fresh data folder) with the manager, and a headless Debian
/// Chromium driven by Playwright. One per test collection: starting both costs several seconds.
/// </summary>
public sealed class ManagerTopology : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private readonly Dictionary<string, GrpcChannel> _channels = [];
    private IPlaywright? _playwright;

    public string DataRoot { get; } = Path.Combine(Path.GetTempPath(), "rds-manager-tests-" + Guid.NewGuid().ToString("N"));

    public DistributedApplication App { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public Uri ManagerUrl { get; private set; } = null!;

    public static readonly IReadOnlyDictionary<string, string> Keys = new Dictionary<string, string>
    {
        ["admin-api-key"] = TestKeys.Admin,
        ["session-host-api-key"] = TestKeys.SessionHost,
        ["client-api-key"] = TestKeys.Client,
        ["reporter-api-key"] = TestKeys.Reporter,
        ["gateway-api-key"] = TestKeys.Gateway,
        ["reporting-api-key"] = TestKeys.ReportingService,
    };

    public async Task InitializeAsync()
    {
        // Checked first: without the browser there is nothing to test, and starting the topology would only hide why.
        var chromium = Chromium.Find();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.RdsPlatform_AppHost>(
        [
            $"--RdsPlatform:DataRoot={DataRoot}",
            "--RdsPlatform:ClockMode=Simulated",
            "--Cache:Mode=garnet",
            .. Keys.Select(k => $"--Parameters:{k.Key}={k.Value}"),
        ]);
        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        foreach (var name in new[] { ResourceNames.LicenseServer, ResourceNames.SessionHost, ResourceNames.Reporting, ResourceNames.Manager })
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
        }

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

    /// <summary>A call invoker to a service that sends the given API key on every call.</summary>
    public CallInvoker Invoker(string resource, string key)
    {
        GrpcChannel channel;
        lock (_channels)
        {
            if (!_channels.TryGetValue(resource, out channel!))
            {
                channel = GrpcChannel.ForAddress(App.GetEndpoint(resource, "http"));
                _channels[resource] = channel;
            }
        }

        return channel.Intercept(headers =>
        {
            headers.Add("authorization", $"Bearer {key}");
            return headers;
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataRoot, recursive: true);
        }
        catch (IOException)
        {
            // A service may still hold a file for a moment after stopping; the folder is in the temp area.
        }
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

/// <summary>Fixed values for the AppHost's secret key parameters in these tests.</summary>
public static class TestKeys
{
    public const string Admin = "manager-test-admin-key";
    public const string SessionHost = "manager-test-session-host-key";
    public const string Client = "manager-test-client-key";
    public const string Reporter = "manager-test-reporter-key";
    public const string Gateway = "manager-test-gateway-key";
    public const string ReportingService = "manager-test-reporting-key";
}
