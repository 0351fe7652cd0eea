using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.Reporting.Grpc;
using RdsPlatform.SessionHost.Grpc;
using RdsPlatform.Testing;
using Spectre.Console;

namespace RdsPlatform.Cli.Tests;

/// <summary>What one rdslic run printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error, byte[] StandardOutputBytes)
{
    public JsonElement Json() => JsonDocument.Parse(Out).RootElement;
}

/// <summary>
/// The license server, the session-host gateway and the reporting service in process, each with its own SQLite file,
/// and rdslic run in process against them with captured output. rdslic finds them through its environment variables
/// (RDSLIC_LICENSE_SERVER=http://license-server ...) and an HTTP handler factory that routes those names to the test servers
/// of the shared <see cref="ServiceFarm"/>.
/// Every service accepts the test API keys; rdslic sends the admin key (RDSLIC_API_KEY) unless a test passes another.
/// By default the services share one <see cref="FakeTimeProvider"/>; with <c>simulatedClock</c> they run with
/// Clock:Mode=Simulated and share the offset through a real Redis-protocol cache (Garnet), as under the AppHost.
/// </summary>
public sealed class CliFarm : IAsyncDisposable
{
    public const string LicenseServerAddress = "http://license-server";
    public const string GatewayAddress = "http://gateway";
    public const string ReportingAddress = "http://reporting";

    private readonly GarnetFixture? _cache;
    private readonly ServiceFarm _services;

    public CliFarm(bool simulatedClock = false)
    {
        if (simulatedClock)
        {
            _cache = new GarnetFixture();
            _cache.Start();
            _services = new ServiceFarm("rdslic-tests");
            _services.CommonSettings["Clock:Mode"] = "Simulated";
            _services.CommonSettings["Clock:SyncInterval"] = "00:00:00.100";
            _services.CommonSettings["ConnectionStrings:cache"] = _cache.ConnectionString;
        }
        else
        {
            _services = new ServiceFarm("rdslic-tests") { Time = Time };
        }

        Directory.CreateDirectory(_services.Root);

        // Started now, so that a test's first command does not pay for (or time out on) a host's start.
        var licenseServer = _services.Start<LicenseServerService>("license-server", setup => setup
            .Set("LicenseServer:Version", "2025")
            .Set("LicenseServer:Scope", "Domain")
            .Set("LicenseServer:Domain", "CONTOSO"));
        _services.Start<SessionHostGatewayService>("gateway", setup => setup.FastGateway().GatewayReachesLicenseServersThrough(_services.RouteByName));
        _services.Start<ReportingService>("reporting", setup => setup.ReportingReadsLicenseServerThrough(licenseServer.CreateHandler));
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero));

    /// <summary>Extra environment variables rdslic sees (RDSLIC_API_KEY ...).</summary>
    public Dictionary<string, string> Environment { get; } = new()
    {
        ["RDSLIC_LICENSE_SERVER"] = LicenseServerAddress,
        ["RDSLIC_GATEWAY"] = GatewayAddress,
        ["RDSLIC_REPORTING"] = ReportingAddress,
        ["RDSLIC_API_KEY"] = TestKeys.Admin,
    };

    /// <summary>Wraps each handler rdslic gets, for tests that look at or delay its requests.</summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? WrapHandler { get; set; }

    public string TempPath(string name) => _services.Folder(name);

    /// <summary>Runs rdslic in process with these arguments and returns what it printed.</summary>
    public async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var standardOutput = new MemoryStream();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 400;
        var host = new CliHost
        {
            Out = console,
            RawOut = output,
            Error = error,
            Progress = console,
            OpenStandardOutput = () => standardOutput,
            GetEnvironmentVariable = name => Environment.GetValueOrDefault(name),
            HttpHandlerFactory = Route,
        };
        var exitCode = await RdslicApp.RunAsync(args, host);
        return new CliResult(exitCode, output.ToString(), error.ToString(), standardOutput.ToArray());
    }

    /// <summary>Runs rdslic and fails the test with its output unless it exited 0.</summary>
    public async Task<CliResult> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"rdslic {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}{result.Out}");
        return result;
    }

    public async Task ActivateAsync() => await RunOkAsync("server", "activate", "--first-name", "Ada", "--last-name", "Lovelace",
        "--company", "Contoso", "--country", "GB", "--email", "ada@contoso.example");

    /// <summary>Installs a Retail pack with a fresh code and returns its id.</summary>
    public async Task<string> InstallAsync(string type, string version, int count)
    {
        var result = await RunOkAsync("keypack", "install", "--code", NewRetailCode(), "--version", version, "--type", type, "--count", count.ToString(), "--json");
        return result.Json().GetProperty("keyPack").GetProperty("keyPackId").GetString()!;
    }

    public static string NewRetailCode() => Requests.NewRandomCode();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _cache?.Dispose();
    }

    /// <summary>rdslic reaches the farm's services by name (http://license-server ...); any other address over real sockets.</summary>
    private HttpMessageHandler Route(Uri address)
    {
        HttpMessageHandler handler = _services.Find(address.Host)?.CreateHandler() ?? new SocketsHttpHandler();
        return WrapHandler?.Invoke(handler) ?? handler;
    }
}
