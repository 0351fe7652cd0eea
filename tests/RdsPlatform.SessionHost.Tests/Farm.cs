using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.Reporting.Grpc;
using RdsPlatform.SessionHost.Grpc;
using RdsPlatform.SessionHost.LicenseServers;
using RdsPlatform.Testing;
using GatewayClient = RdsPlatform.Contracts.SessionHost.V1.SessionHostGateway.SessionHostGatewayClient;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;
using ReportingClient = RdsPlatform.Contracts.Reporting.V1.Reporting.ReportingClient;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>
/// An in-process license server and session-host gateway sharing one <see cref="FakeTimeProvider"/>, each with a real SQLite
/// file in its own temp folder, optionally with a real Redis-protocol cache. The gateway reaches the license server through
/// a substituted channel factory; <see cref="LicenseServerDown"/> makes every call to it fail as a network outage would.
/// </summary>
public sealed class Farm : IAsyncDisposable
{
    public const string LicenseServerName = "license-server";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "rds-gw-tests", Guid.NewGuid().ToString("N"));
    private readonly string? _cacheConnectionString;
    private readonly List<IDisposable> _owned = [];
    private WebApplicationFactory<SessionHostGatewayService>? _gateway;

    public Farm(string? cacheConnectionString = null, string licenseServerVersion = "2025", bool securityGroup = false, params string[] allowedHosts)
    {
        _cacheConnectionString = cacheConnectionString;
        Directory.CreateDirectory(_root);
        var licenseServer = new WebApplicationFactory<LicenseServerService>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.UseSetting("Storage:DataDirectory", Path.Combine(_root, "license-server"));
            web.UseTestKeys();
            web.UseSetting("LicenseServer:Version", licenseServerVersion);
            web.UseSetting("LicenseServer:SecurityGroupEnabled", securityGroup ? "true" : "false");
            for (var i = 0; i < allowedHosts.Length; i++)
            {
                web.UseSetting($"LicenseServer:AllowedSessionHosts:{i}", allowedHosts[i]);
            }

            web.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)));
        });
        _owned.Add(licenseServer);
        LicenseServerFactory = licenseServer;
        LicenseServer = new LicenseServerClient(Channel(licenseServer).WithRoleKeys(typeof(LicenseServerService)));
        StartGateway();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 1, 6, 8, 0, 0, TimeSpan.Zero));

    public WebApplicationFactory<LicenseServerService> LicenseServerFactory { get; }

    public LicenseServerClient LicenseServer { get; }

    public GatewayClient Gateway { get; private set; } = null!;

    public IServiceProvider GatewayServices => _gateway!.Services;

    /// <summary>When true, the gateway's calls to the license server fail with Unavailable.</summary>
    public bool LicenseServerDown { get; set; }

    /// <summary>When true, the gateway's calls to the license server are never answered (they end at their deadline).</summary>
    public bool LicenseServerHangs { get; set; }

    public string GatewayDataDirectory => Path.Combine(_root, "gateway");

    /// <summary>Extra gateway configuration, applied from the next <see cref="RestartGatewayAsync"/>.</summary>
    public Dictionary<string, string> GatewaySettings { get; } = [];

    /// <summary>Extra gateway services (e.g. a log exporter), applied from the next <see cref="RestartGatewayAsync"/>.</summary>
    public Action<IServiceCollection>? ConfigureGatewayServices { get; set; }

    /// <summary>Stops the gateway and starts a new one on the same data folder (a restart).</summary>
    public async Task RestartGatewayAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        StartGateway();
    }

    public void AdvanceDays(double days) => Time.Advance(TimeSpan.FromDays(days));

    public async Task<ConfigureSessionHostResponse> ConfigureAsync(string hostId, LicensingMode mode, ProductVersion version = ProductVersion._2022,
        bool preventUpgrade = false, params string[] licenseServers) =>
        await Gateway.ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = hostId,
            Version = version,
            LicensingMode = mode,
            LicenseServers = { licenseServers.Length == 0 ? [LicenseServerName] : licenseServers },
            PreventLicenseUpgrade = preventUpgrade,
        });

    public async Task ActivateAsync() =>
        await LicenseServer.ActivateServerAsync(new ActivateServerRequest
        {
            Contact = new ContactDetails { FirstName = "Ada", LastName = "Lovelace", Company = "Contoso", Country = "GB", Email = "ada@contoso.example" },
        });

    public async Task<KeyPack> InstallAsync(CalType type, ProductVersion version, int count)
    {
        var raw = Guid.NewGuid().ToString("N").ToUpperInvariant();
        var code = $"{raw[..5]}-{raw[5..10]}-{raw[10..15]}-{raw[15..20]}-{raw[20..25]}";
        var response = await LicenseServer.InstallKeyPackAsync(new InstallKeyPackRequest
        {
            Program = KeyPackProgram.Retail,
            RetailCode = code,
            ProductVersion = version,
            CalType = type,
            Count = count,
        });
        return response.KeyPack;
    }

    public async Task<List<IssuedLicense>> IssuedAsync(ListIssuedLicensesRequest? filter = null)
    {
        using var call = LicenseServer.ListIssuedLicenses(filter ?? new ListIssuedLicensesRequest());
        var list = new List<IssuedLicense>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            list.Add(call.ResponseStream.Current);
        }

        return list;
    }

    public Task<ConnectResponse> ConnectDeviceAsync(string hostId, string hardwareId, CalCertificate? presented = null, string userName = "alice") =>
        Gateway.ConnectAsync(new ConnectRequest
        {
            HostId = hostId,
            Device = new Device { HardwareId = hardwareId, ComputerName = $"PC-{hardwareId}" },
            User = new User { Domain = "CONTOSO", Name = userName },
            PresentedCertificate = presented,
        }).ResponseAsync;

    /// <summary>
    /// A 2022 Per Device host past its grace period on an activated server with 10 installed CALs, and a device that holds a
    /// permanent CAL (temporary, signed in, upgraded); returns the upgrading connection.
    /// </summary>
    public async Task<ConnectResponse> PermanentDeviceAfterGraceAsync(string hostId, string hardwareId)
    {
        await ConfigureAsync(hostId, LicensingMode.PerDevice);
        AdvanceDays(121);
        await ActivateAsync();
        await InstallAsync(CalType.PerDevice, ProductVersion._2022, 10);
        var temporary = await ConnectDeviceAsync(hostId, hardwareId);
        await Gateway.SignInAsync(new SignInRequest { SessionId = temporary.SessionId });
        return await ConnectDeviceAsync(hostId, hardwareId, temporary.Certificate);
    }

    public Task<ConnectResponse> ConnectUserAsync(string hostId, string domain, string userName, string hardwareId = "shared-device") =>
        Gateway.ConnectAsync(new ConnectRequest
        {
            HostId = hostId,
            Device = new Device { HardwareId = hardwareId, ComputerName = $"PC-{hardwareId}" },
            User = new User { Domain = domain, Name = userName },
        }).ResponseAsync;

    /// <summary>A reporting service reading this farm's license server, on the farm's clock (disposed with the farm).</summary>
    public ReportingClient StartReporting()
    {
        var reporting = new WebApplicationFactory<ReportingService>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.UseTestKeys();
            web.UseSetting("Storage:DataDirectory", Path.Combine(_root, "reporting"));
            web.UseSetting("Reporting:LicenseServerAddress", "http://localhost");
            web.ConfigureTestServices(services =>
            {
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
                services.AddGrpcClient<LicenseServerClient>().ConfigurePrimaryHttpMessageHandler(() => LicenseServerFactory.Server.CreateHandler());
            });
        });
        _owned.Add(reporting);
        return new ReportingClient(Channel(reporting).WithRoleKeys(typeof(ReportingService)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold a pooled handle for a moment; the temp folder is cleaned by the OS.
        }
    }

    private void StartGateway()
    {
        _gateway = new WebApplicationFactory<SessionHostGatewayService>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.UseTestKeys();
            web.UseSetting("Storage:DataDirectory", GatewayDataDirectory);
            web.UseSetting("Gateway:RevocationPollInterval", "00:00:00.200");
            web.UseSetting("Gateway:LicenseServerRetryAfter", "00:00:00");
            web.UseSetting("Gateway:NotTrackedRetryInterval", "00:00:00.200");
            // A shared 2-core machine can stall a call for seconds; outages are simulated by failing at once instead.
            web.UseSetting("Gateway:LicenseServerTimeout", "00:00:15");
            if (_cacheConnectionString is not null)
            {
                web.UseSetting("ConnectionStrings:cache", _cacheConnectionString);
            }

            foreach (var (key, value) in GatewaySettings)
            {
                web.UseSetting(key, value);
            }

            web.ConfigureServices(services =>
            {
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
                services.Replace(ServiceDescriptor.Singleton<ILicenseServerChannelFactory>(new InProcessChannels(this)));
                ConfigureGatewayServices?.Invoke(services);
            });
        });
        Gateway = new GatewayClient(Channel(_gateway).WithRoleKeys(typeof(SessionHostGatewayService)));
    }

    private static GrpcChannel Channel<T>(WebApplicationFactory<T> factory) where T : class =>
        GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = factory.Server.CreateHandler() });

    /// <summary>"license-server" is the in-process license server; any other address is unreachable.</summary>
    private sealed class InProcessChannels(Farm farm) : ILicenseServerChannelFactory
    {
        public GrpcChannel Create(Uri address)
        {
            HttpMessageHandler inner = address.Host == LicenseServerName
                ? farm.LicenseServerFactory.Server.CreateHandler()
                : new Unreachable();
            return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new Switch(farm, inner), DisposeHttpClient = true });
        }
    }

    private sealed class Switch(Farm farm, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (farm.LicenseServerHangs)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return farm.LicenseServerDown
                ? throw new HttpRequestException("Connection refused (simulated license server outage).")
                : await base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class Unreachable : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException($"No such host is known ({request.RequestUri?.Host}).");
    }
}
