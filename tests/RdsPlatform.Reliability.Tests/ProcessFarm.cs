using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;
using ClockClient = RdsPlatform.Contracts.Admin.V1.Clock.ClockClient;
using GatewayClient = RdsPlatform.Contracts.SessionHost.V1.SessionHostGateway.SessionHostGatewayClient;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.Reliability.Tests;

/// <summary>All reliability tests share one cache and run one at a time: they stop the cache, kill processes and load the machine.</summary>
[CollectionDefinition(Name)]
public sealed class ReliabilityCollection : ICollectionFixture<GarnetFixture>
{
    public const string Name = "Reliability";
}

/// <summary>
/// A license server and any number of session-host gateways as real processes, sharing the in-test Garnet cache, each with
/// its own data folder that outlives a kill. Every channel sends the farm's keys (<see cref="FarmKeys"/>).
/// </summary>
public sealed class ProcessFarm : IAsyncDisposable
{
    public const string LicenseServerName = "license-server";

    private readonly string _root;
    private readonly string _logs;
    private readonly GarnetFixture _cache;
    private readonly List<ServiceProcess> _gateways = [];
    private readonly List<ServiceProcess> _others = [];

    private ProcessFarm(GarnetFixture cache, string name, IEnumerable<KeyValuePair<string, string>> licenseServerSettings)
    {
        _cache = cache;
        var id = $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 9, 60)];
        _root = Path.Combine(Path.GetTempPath(), "rds-reliability", "data", id);
        _logs = Path.Combine(Path.GetTempPath(), "rds-reliability", "logs", id);
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_logs);
        LicenseServer = new ServiceProcess(LicenseServerName, "RdsPlatform.LicenseServer", GarnetFixture.FreeTcpPort(),
            Path.Combine(_logs, "license-server.log"), Environment("license-server", licenseServerSettings));
        LicenseAdmin = new LicenseServerClient(LicenseServer.Channel.Authorized(TestKeys.Admin));
        LicenseHost = new LicenseServerClient(LicenseServer.Channel.Authorized(TestKeys.SessionHost));
    }

    public ServiceProcess LicenseServer { get; }

    /// <summary>The license server as an administrator calls it.</summary>
    public LicenseServerClient LicenseAdmin { get; }

    /// <summary>The license server as a session host calls it (RequestLicense, MarkLicenseValidated).</summary>
    public LicenseServerClient LicenseHost { get; }

    public IReadOnlyList<ServiceProcess> Gateways => _gateways;

    public string LogFolder => _logs;

    /// <summary>Starts a farm with a running license server (the cache is emptied first: no test sees another's state).</summary>
    public static async Task<ProcessFarm> StartAsync(GarnetFixture cache, string name, params (string Key, string Value)[] licenseServerSettings)
    {
        cache.Start();
        await cache.FlushAsync();
        var farm = new ProcessFarm(cache, name, licenseServerSettings.Select(s => new KeyValuePair<string, string>(s.Key, s.Value)));
        try
        {
            await farm.LicenseServer.StartAsync();
        }
        catch
        {
            await farm.DisposeAsync();
            throw;
        }

        return farm;
    }

    /// <summary>Starts one more gateway replica with its own data folder; it reaches the license server by the name "license-server".</summary>
    public Task<ServiceProcess> StartGatewayAsync(params (string Key, string Value)[] settings) => StartGatewayAsync(executable: null, otherPorts: [], settings);

    /// <summary>
    /// Starts one more gateway replica from <paramref name="executable"/> (a native build; the build's dll when null),
    /// listening on <paramref name="otherPorts"/> as well (for <c>Ports__HttpApi</c> and <c>Ports__Management</c>).
    /// </summary>
    public async Task<ServiceProcess> StartGatewayAsync(string? executable, IReadOnlyList<int> otherPorts, params (string Key, string Value)[] settings)
    {
        var name = $"gateway-{_gateways.Count + 1}";
        var all = new List<KeyValuePair<string, string>>
        {
            new($"LicenseServers__{LicenseServerName}", LicenseServer.Address.ToString().TrimEnd('/')),
            // A cold process on a shared 2-core machine can take over the 2 s default to answer its first calls, and a
            // server that misses its deadline is treated as down; tests about outages set their own timeout.
            new("Gateway__LicenseServerTimeout", "00:00:10"),
            
        };
        all.AddRange(settings.Select(s => new KeyValuePair<string, string>(s.Key, s.Value)));
        var gateway = new ServiceProcess(name, "RdsPlatform.SessionHost", GarnetFixture.FreeTcpPort(), Path.Combine(_logs, name + ".log"), Environment(name, all),
            executable, otherPorts);
        _gateways.Add(gateway);
        await gateway.StartAsync();
        return gateway;
    }

    /// <summary>Starts a reporting service with its own data folder, reading the farm's license server.</summary>
    public async Task<ServiceProcess> StartReportingAsync(params (string Key, string Value)[] settings)
    {
        var all = new List<KeyValuePair<string, string>> { new("Reporting__LicenseServerAddress", LicenseServer.Address.ToString().TrimEnd('/')) };
        all.AddRange(settings.Select(s => new KeyValuePair<string, string>(s.Key, s.Value)));
        var reporting = new ServiceProcess("reporting", "RdsPlatform.Reporting", GarnetFixture.FreeTcpPort(), Path.Combine(_logs, "reporting.log"), Environment("reporting", all));
        _others.Add(reporting);
        await reporting.StartAsync();
        return reporting;
    }

    public static GatewayClient GatewayAdmin(ServiceProcess gateway) => new(gateway.Channel.Authorized(TestKeys.Admin));

    public static GatewayClient GatewayClient(ServiceProcess gateway, TimeSpan? deadline = null) => new(gateway.Channel.Authorized(TestKeys.Client, deadline));

    public static ClockClient Clock(ServiceProcess service) => new(service.Channel.Authorized(TestKeys.Admin));

    /// <summary>Moves simulated time for every service and waits (bounded) until every running one agrees.</summary>
    public async Task AdvanceDaysAsync(double days)
    {
        var running = new[] { LicenseServer }.Concat(_gateways).Where(s => s.IsRunning).ToList();
        var advanced = await Clock(running[0]).AdvanceAsync(new AdvanceRequest { By = Duration.FromTimeSpan(TimeSpan.FromDays(days)) });
        await WaitForClockAsync(advanced.Offset.ToTimeSpan(), running);
    }

    /// <summary>Waits (bounded) until each running service reads at least this simulated offset.</summary>
    public async Task WaitForClockAsync(TimeSpan offset, IReadOnlyList<ServiceProcess>? services = null)
    {
        services ??= new[] { LicenseServer }.Concat(_gateways).Where(s => s.IsRunning).ToList();
        foreach (var service in services)
        {
            await Poll.UntilAsync(async () => (await Clock(service).GetTimeAsync(new GetTimeRequest())).Offset.ToTimeSpan() >= offset,
                TimeSpan.FromSeconds(15), $"{service.Name} did not reach the simulated offset {offset}.");
        }
    }

    public async Task<TimeSpan> ClockOffsetAsync(ServiceProcess service) =>
        (await Clock(service).GetTimeAsync(new GetTimeRequest())).Offset.ToTimeSpan();

    public async Task ActivateAsync() =>
        await LicenseAdmin.ActivateServerAsync(new ActivateServerRequest
        {
            Contact = new ContactDetails { FirstName = "Ada", LastName = "Lovelace", Company = "Contoso", Country = "GB", Email = "ada@contoso.example" },
        });

    public async Task<KeyPack> InstallAsync(CalType type, ProductVersion version, int count)
    {
        var raw = Guid.NewGuid().ToString("N").ToUpperInvariant();
        var response = await LicenseAdmin.InstallKeyPackAsync(new InstallKeyPackRequest
        {
            Program = KeyPackProgram.Retail,
            RetailCode = $"{raw[..5]}-{raw[5..10]}-{raw[10..15]}-{raw[15..20]}-{raw[20..25]}",
            ProductVersion = version,
            CalType = type,
            Count = count,
        });
        return response.KeyPack;
    }

    public async Task<List<IssuedLicense>> IssuedAsync(ListIssuedLicensesRequest? filter = null)
    {
        using var call = LicenseAdmin.ListIssuedLicenses(filter ?? new ListIssuedLicensesRequest { IncludeExpired = true });
        return await call.ResponseStream.ReadAllAsync().ToListAsync();
    }

    public async Task<List<AuditEvent>> AuditAsync(params AuditEventType[] types)
    {
        using var call = LicenseAdmin.GetAuditTrail(new GetAuditTrailRequest { Types_ = { types } });
        return await call.ResponseStream.ReadAllAsync().ToListAsync();
    }

    public static async Task ConfigureAsync(ServiceProcess gateway, string hostId, LicensingMode mode = LicensingMode.PerDevice, ProductVersion version = ProductVersion._2022) =>
        await GatewayAdmin(gateway).ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = hostId,
            Version = version,
            LicensingMode = mode,
            LicenseServers = { LicenseServerName },
        });

    public static ConnectRequest Device(string hostId, string hardwareId, CalCertificate? presented = null) => new()
    {
        HostId = hostId,
        Device = new Device { HardwareId = hardwareId, ComputerName = $"PC-{hardwareId}" },
        User = new User { Domain = "CONTOSO", Name = "alice" },
        PresentedCertificate = presented,
    };

    /// <summary>First connection, sign-in, second connection: the device leaves with a permanent CAL (R3-R5).</summary>
    public static async Task<ConnectResponse> PermanentDeviceAsync(ServiceProcess gateway, string hostId, string hardwareId)
    {
        var client = GatewayClient(gateway);
        var temporary = await client.ConnectAsync(Device(hostId, hardwareId));
        Assert.True(temporary.Reason == ReasonCode.TemporaryCalIssued, $"{hardwareId}: {temporary}");
        await client.SignInAsync(new SignInRequest { SessionId = temporary.SessionId });
        var permanent = await client.ConnectAsync(Device(hostId, hardwareId, temporary.Certificate));
        Assert.True(permanent.Reason == ReasonCode.CalUpgraded, $"{hardwareId}: {permanent}");
        return permanent;
    }

    /// <summary>
    /// Whether a gateway honours the revocation of <paramref name="revokedLicenseId"/> in this answer: it did not admit the
    /// connection with that CAL (R8: refused, or admitted with the new CAL the license server issued the device instead).
    /// </summary>
    public static bool HonoursRevocation(ConnectResponse response, string revokedLicenseId) =>
        !response.Admitted || response.CertificateDetails?.LicenseId != revokedLicenseId;

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _gateways.Concat(_others))
        {
            await service.DisposeAsync();
        }

        await LicenseServer.DisposeAsync();
        _cache.Start();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still being released; the temp folder is cleaned by the OS.
        }
    }

    private IReadOnlyDictionary<string, string> Environment(string name, IEnumerable<KeyValuePair<string, string>> settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["Clock__Mode"] = "Simulated",
            ["Storage__DataDirectory"] = Path.Combine(_root, name),
            ["ConnectionStrings__cache"] = _cache.ConnectionString,
            ["Kestrel__EndpointDefaults__Protocols"] = "Http2",
            ["Logging__Console__FormatterName"] = "simple",
        };
        foreach (var (key, value) in FarmKeys.Environment().Concat(settings))
        {
            environment[key] = value;
        }

        return environment;
    }
}

public static class Poll
{
    /// <summary>Repeats a check every 50 ms until it holds; fails after the bound. Returns how long it took.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, TimeSpan bound, string failure, Func<string>? lastSeen = null)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return stopwatch.Elapsed;
                }
            }
            catch (RpcException) when (stopwatch.Elapsed < bound)
            {
                // The service is still coming back; try again.
            }

            if (stopwatch.Elapsed > bound)
            {
                Assert.Fail($"{failure} (waited {bound.TotalSeconds:0} s) {lastSeen?.Invoke()}");
            }

            await Task.Delay(50);
        }
    }
}
