using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.Reporting.Grpc;
using RdsPlatform.SessionHost.Grpc;
using RdsPlatform.Testing;
using GatewayClient = RdsPlatform.Contracts.SessionHost.V1.SessionHostGateway.SessionHostGatewayClient;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;
using ReportingClient = RdsPlatform.Contracts.Reporting.V1.Reporting.ReportingClient;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>
/// An in-process license server and session-host gateway from the shared <see cref="ServiceFarm"/>, sharing one
/// <see cref="FakeTimeProvider"/>, each with a real SQLite file in its own temp folder, optionally with a real Redis-protocol
/// cache, and optionally more gateway processes beside it (<see cref="StartGatewayReplica"/>). The gateway reaches the
/// license server by name through the farm; <see cref="LicenseServerDown"/> makes every call
/// to it fail as a network outage would.
/// </summary>
public sealed class Farm : IAsyncDisposable
{
    public const string LicenseServerName = Requests.LicenseServerName;

    private readonly ServiceFarm _services;
    private readonly string? _cacheConnectionString;
    private readonly ServiceHost<LicenseServerService> _licenseServer;
    private ServiceHost<SessionHostGatewayService>? _gateway;

    public Farm(string? cacheConnectionString = null, string licenseServerVersion = "2025", bool securityGroup = false, params string[] allowedHosts)
    {
        _cacheConnectionString = cacheConnectionString;
        _services = new ServiceFarm("rds-gw-tests") { Time = Time };
        _licenseServer = _services.Start<LicenseServerService>(LicenseServerName, setup =>
        {
            setup.Set("LicenseServer:Version", licenseServerVersion)
                .Set("LicenseServer:SecurityGroupEnabled", securityGroup ? "true" : "false");
            for (var i = 0; i < allowedHosts.Length; i++)
            {
                setup.Set($"LicenseServer:AllowedSessionHosts:{i}", allowedHosts[i]);
            }
        });
        LicenseServer = new LicenseServerClient(_licenseServer.WithRoleKeys(typeof(LicenseServerService)));
        StartGateway();
    }

    /// <summary>A farm whose gateway keeps its hosts in a PostgreSQL database, on a cache that its replicas share too.</summary>
    public static async Task<Farm> OnPostgresAsync(string cacheConnectionString, string databaseConnectionString, params (string Key, string Value)[] settings)
    {
        var farm = new Farm(cacheConnectionString);
        farm.GatewaySettings["Storage:Provider"] = "Postgres";
        farm.GatewaySettings["ConnectionStrings:gateway"] = databaseConnectionString;
        foreach (var (key, value) in settings)
        {
            farm.GatewaySettings[key] = value;
        }

        await farm.RestartGatewayAsync();
        return farm;
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 1, 6, 8, 0, 0, TimeSpan.Zero));

    public LicenseServerClient LicenseServer { get; }

    public GatewayClient Gateway { get; private set; } = null!;

    public IServiceProvider GatewayServices => _gateway!.Services;

    /// <summary>The gateway's own channel, without keys (health and reflection need none).</summary>
    public global::Grpc.Net.Client.GrpcChannel GatewayChannel => _gateway!.Channel;

    /// <summary>When true, the gateway's calls to the license server fail with Unavailable.</summary>
    public bool LicenseServerDown
    {
        get => _services.RoutesDown;
        set => _services.RoutesDown = value;
    }

    /// <summary>When true, the gateway's calls to the license server are never answered (they end at their deadline).</summary>
    public bool LicenseServerHangs { get; set; }

    public string GatewayDataDirectory => _services.Folder("gateway");

    /// <summary>Extra gateway services (e.g. a log exporter), applied from the next <see cref="RestartGatewayAsync"/>.</summary>
    public Action<IServiceCollection>? ConfigureGatewayServices { get; set; }

    /// <summary>Extra gateway configuration, applied from the next <see cref="RestartGatewayAsync"/>.</summary>
    public Dictionary<string, string> GatewaySettings { get; } = [];

    /// <summary>Stops the gateway and starts a new one on the same data folder (a restart).</summary>
    public async Task RestartGatewayAsync()
    {
        if (_gateway is not null)
        {
            await _services.StopAsync(_gateway);
        }

        StartGateway();
    }

    public void AdvanceDays(double days) => Time.Advance(TimeSpan.FromDays(days));

    public async Task<ConfigureSessionHostResponse> ConfigureAsync(string hostId, LicensingMode mode, ProductVersion version = ProductVersion._2022,
        bool preventUpgrade = false, params string[] licenseServers) =>
        await Gateway.ConfigureSessionHostAsync(Requests.ConfigureHost(hostId, mode, version, preventUpgrade, licenseServers));

    public async Task ActivateAsync() => await LicenseServer.ActivateServerAsync(Requests.Activate("ada@contoso.example"));

    public async Task<KeyPack> InstallAsync(CalType type, ProductVersion version, int count) =>
        (await LicenseServer.InstallKeyPackAsync(Requests.Retail(Requests.NewRandomCode(), type, version, count))).KeyPack;

    public async Task<List<IssuedLicense>> IssuedAsync(ListIssuedLicensesRequest? filter = null) =>
        await LicenseServer.ListIssuedLicenses(filter ?? new ListIssuedLicensesRequest()).ToListAsync();

    public Task<ConnectResponse> ConnectDeviceAsync(string hostId, string hardwareId, CalCertificate? presented = null, string userName = "alice") =>
        Gateway.ConnectAsync(Requests.Connect(hostId, hardwareId, userName: userName, presented: presented)).ResponseAsync;

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
        Gateway.ConnectAsync(Requests.Connect(hostId, hardwareId, domain, userName)).ResponseAsync;

    /// <summary>A reporting service reading this farm's license server, on the farm's clock (disposed with the farm).</summary>
    public ReportingClient StartReporting()
    {
        var reporting = _services.Start<ReportingService>("reporting", setup => setup.ReportingReadsLicenseServerThrough(_licenseServer.CreateHandler));
        return new ReportingClient(reporting.WithRoleKeys(typeof(ReportingService)));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    /// <summary>
    /// Another gateway process with the gateway's settings (so the same database and cache) and its own data folder: a
    /// replica beside <see cref="Gateway"/>. Without <paramref name="withCache"/> it has no cache, as a replica that cannot reach it.
    /// </summary>
    public GatewayReplica StartGatewayReplica(string name, bool withCache = true)
    {
        var host = StartGatewayHost(name, withCache);
        return new GatewayReplica(new GatewayClient(host.WithRoleKeys(typeof(SessionHostGatewayService))), host);
    }

    public Task StopAsync(GatewayReplica replica) => _services.StopAsync(replica.Host);

    /// <summary>
    /// A second gateway beside <see cref="Gateway"/>, on the same cache, with a Per Device host configured on both (on
    /// SQLite each replica keeps its own host settings; a shared database is what <see cref="OnPostgresAsync"/> gives).
    /// </summary>
    public async Task<GatewayClient> StartReplicaWithHostAsync(string name, string hostId)
    {
        var other = StartGatewayReplica(name).Client;
        await ConfigureAsync(hostId, LicensingMode.PerDevice);
        await other.ConfigureSessionHostAsync(Requests.ConfigureHost(hostId, LicensingMode.PerDevice));
        return other;
    }

    private void StartGateway()
    {
        _gateway = StartGatewayHost("gateway", withCache: true);
        Gateway = new GatewayClient(_gateway.WithRoleKeys(typeof(SessionHostGatewayService)));
    }

    private ServiceHost<SessionHostGatewayService> StartGatewayHost(string name, bool withCache) =>
        _services.Start<SessionHostGatewayService>(name, setup =>
        {
            setup.FastGateway().GatewayReachesLicenseServersThrough(() => new Hang(this, _services.RouteByName()));
            if (ConfigureGatewayServices is { } configure)
            {
                setup.TestServices.Add(configure);
            }

            if (_cacheConnectionString is not null && withCache)
            {
                setup.Set("ConnectionStrings:cache", _cacheConnectionString);
            }

            foreach (var (key, value) in GatewaySettings)
            {
                setup.Set(key, value);
            }
        });

    /// <summary>Holds every call while <see cref="LicenseServerHangs"/>, as a license server that accepts and never answers.</summary>
    private sealed class Hang(Farm farm, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (farm.LicenseServerHangs)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>A second (or third) gateway process of a <see cref="Farm"/>.</summary>
public sealed record GatewayReplica(GatewayClient Client, IServiceHost Host)
{
    public IServiceProvider Services => Host.Services;
}
