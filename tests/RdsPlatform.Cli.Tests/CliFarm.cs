using System.Text.Json;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.Reporting.Grpc;
using RdsPlatform.SessionHost.Grpc;
using RdsPlatform.SessionHost.LicenseServers;
using RdsPlatform.Testing;
using Spectre.Console;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.Cli.Tests;

/// <summary>What one rdslic run printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error, byte[] StandardOutputBytes)
{
    public JsonElement Json() => JsonDocument.Parse(Out).RootElement;
}

/// <summary>
/// The license server, the session-host gateway and the reporting service in process, each with its own SQLite file,
/// and rdslic run in process against them with captured output. rdslic finds them through its environment variables
/// (RDSLIC_LICENSE_SERVER=http://license-server ...) and an HTTP handler factory that routes those names to the test servers.
/// Every service accepts the test API keys; rdslic sends the admin key (RDSLIC_API_KEY) unless a test passes another.
/// By default the services share one <see cref="FakeTimeProvider"/>; with <c>simulatedClock</c> they run with
/// Clock:Mode=Simulated and share the offset through a real Redis-protocol cache (Garnet), as under the AppHost.
/// </summary>
public sealed class CliFarm : IAsyncDisposable
{
    public const string LicenseServerAddress = "http://license-server";
    public const string GatewayAddress = "http://gateway";
    public const string ReportingAddress = "http://reporting";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "rdslic-tests", Guid.NewGuid().ToString("N"));
    private readonly GarnetFixture? _cache;
    private readonly WebApplicationFactory<LicenseServerService> _licenseServer;
    private readonly WebApplicationFactory<SessionHostGatewayService> _gateway;
    private readonly WebApplicationFactory<ReportingService> _reporting;

    public CliFarm(bool simulatedClock = false)
    {
        Directory.CreateDirectory(_root);
        if (simulatedClock)
        {
            _cache = new GarnetFixture();
            _cache.Start();
        }

        _licenseServer = new WebApplicationFactory<LicenseServerService>().WithWebHostBuilder(web =>
        {
            Common(web, "license-server");
            web.UseSetting("LicenseServer:Version", "2025");
            web.UseSetting("LicenseServer:Scope", "Domain");
            web.UseSetting("LicenseServer:Domain", "CONTOSO");
        });
        _gateway = new WebApplicationFactory<SessionHostGatewayService>().WithWebHostBuilder(web =>
        {
            Common(web, "gateway");
            web.UseSetting("Gateway:RevocationPollInterval", "00:00:00.200");
            web.UseSetting("Gateway:LicenseServerRetryAfter", "00:00:00");
            web.ConfigureTestServices(services =>
                services.Replace(ServiceDescriptor.Singleton<ILicenseServerChannelFactory>(new InProcessLicenseServers(this))));
        });
        _reporting = new WebApplicationFactory<ReportingService>().WithWebHostBuilder(web =>
        {
            Common(web, "reporting");
            web.UseSetting("Reporting:LicenseServerAddress", "http://localhost");
            web.ConfigureTestServices(services =>
                services.AddGrpcClient<LicenseServerClient>().ConfigurePrimaryHttpMessageHandler(() => _licenseServer.Server.CreateHandler()));
        });

        // Start all three now, so that a test's first command does not pay for (or time out on) a host's start.
        _ = _licenseServer.Server;
        _ = _gateway.Server;
        _ = _reporting.Server;
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

    public string TempPath(string name) => Path.Combine(_root, name);

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

    public static string NewRetailCode()
    {
        var raw = Guid.NewGuid().ToString("N").ToUpperInvariant();
        return $"{raw[..5]}-{raw[5..10]}-{raw[10..15]}-{raw[15..20]}-{raw[20..25]}";
    }

    public async ValueTask DisposeAsync()
    {
        await _reporting.DisposeAsync();
        await _gateway.DisposeAsync();
        await _licenseServer.DisposeAsync();
        _cache?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // SQLite's pool may still hold a file for a moment; the temp folder is cleaned by the OS later.
        }
    }

    private void Common(IWebHostBuilder web, string name)
    {
        web.UseEnvironment("Development");
        web.UseTestKeys();
        web.UseSetting("Storage:DataDirectory", Path.Combine(_root, name));
        if (_cache is not null)
        {
            web.UseSetting("Clock:Mode", "Simulated");
            web.UseSetting("Clock:SyncInterval", "00:00:00.100");
            web.UseSetting("ConnectionStrings:cache", _cache.ConnectionString);
        }
        else
        {
            web.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)));
        }
    }

    private HttpMessageHandler Route(Uri address)
    {
        HttpMessageHandler handler = address.Host switch
        {
            "license-server" => _licenseServer.Server.CreateHandler(),
            "gateway" => _gateway.Server.CreateHandler(),
            "reporting" => _reporting.Server.CreateHandler(),
            _ => new SocketsHttpHandler(),
        };
        return WrapHandler?.Invoke(handler) ?? handler;
    }

    /// <summary>The gateway reaches "license-server" in process; any other license server is unreachable.</summary>
    private sealed class InProcessLicenseServers(CliFarm farm) : ILicenseServerChannelFactory
    {
        public GrpcChannel Create(Uri address)
        {
            HttpMessageHandler handler = address.Host == "license-server" ? farm._licenseServer.Server.CreateHandler() : new Unreachable();
            return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        }
    }

    private sealed class Unreachable : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException($"No such host is known ({request.RequestUri?.Host}).");
    }
}
