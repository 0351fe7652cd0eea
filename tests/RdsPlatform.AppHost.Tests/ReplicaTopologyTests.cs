using Aspire.Hosting.ApplicationModel;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost.Tests;

/// <summary>One running process of a replicated service: its dashboard id, its own gRPC address and its own Prometheus scrape address.</summary>
public sealed record ReplicaInstance(string Id, Uri Grpc, Uri Metrics);

/// <summary>
/// The topology on the AppHost's PostgreSQL server with two processes of each service (<c>Replicas:LicenseServer=2</c>,
/// <c>Replicas:SessionHost=2</c>, <c>Replicas:Reporting=2</c>): each replica is its own resource instance with its own
/// ports behind the service's one proxied port.
/// </summary>
public sealed class ReplicaTopologyFixture : TopologyFixture
{
    protected override IEnumerable<string> Arguments =>
        ["--Database:Mode=postgres", "--Replicas:LicenseServer=2", "--Replicas:SessionHost=2", "--Replicas:Reporting=2"];

    /// <summary>
    /// Starts the topology and waits until every instance of every service answers Health/Check on its own port: the
    /// dashboard shows an instance Running once its process started, before it listens (a test that called a replica
    /// right away was refused a connection). Then each license-server replica issues one CAL: a replica's first
    /// issuance (its writer connection, statement preparation, the issuance path's first compilation) can take longer on
    /// a loaded machine than the gateway's <c>Gateway:LicenseServerTimeout</c> (2 s), and a gateway that timed out answers
    /// GRACE_PERIOD and skips that server for a while. These tests are about replicas, not cold starts
    /// (docs/reliability.md, known limits).
    /// </summary>
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var service in TopologyFixture.Services)
        {
            foreach (var instance in await InstancesAsync(service))
            {
                await ServingAsync(instance.Grpc);
            }
        }

        foreach (var (replica, i) in (await InstancesAsync(ResourceNames.LicenseServer)).Select((r, i) => (r, i)))
        {
            using var channel = GrpcChannel.ForAddress(replica.Grpc);
            await new LicenseServer.LicenseServerClient(channel.WithBearer(TestKeys.SessionHost)).RequestLicenseAsync(new RequestLicenseRequest
            {
                SessionHostId = "rdsh-warm-up", SessionHostVersion = ProductVersion._2022, CalType = CalType.PerDevice,
                HardwareId = $"warm-up-{i}", ComputerName = $"PC-WARM-UP-{i}",
            }, deadline: DateTime.UtcNow.AddSeconds(60));
        }
    }

    private static async Task ServingAsync(Uri instance)
    {
        using var channel = GrpcChannel.ForAddress(instance);
        var health = await UntilListening.RetryAsync(() =>
            new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5)).ResponseAsync);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    /// <summary>The running instances of a service as the dashboard lists them, each with the addresses of that process alone.</summary>
    public async Task<IReadOnlyList<ReplicaInstance>> InstancesAsync(string service)
    {
        var resource = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == service);
        var expected = resource.TryGetLastAnnotation<ReplicaAnnotation>(out var replicas) ? replicas.Replicas : 1;
        var running = new Dictionary<string, ReplicaInstance>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        // The notifications start with every instance's current state, then follow its changes.
        await foreach (var e in App.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (e.Resource.Name == service && e.Snapshot.State?.Text == KnownResourceStates.Running
                && e.Snapshot.EnvironmentVariables.Any(v => v.Name == "ASPNETCORE_URLS"))
            {
                running[e.ResourceId] = Instance(e.ResourceId, e.Snapshot);
                if (running.Count == expected)
                {
                    break;
                }
            }
        }

        return [.. running.Values];
    }

    /// <summary>
    /// The listeners of the replica's ASPNETCORE_URLS: the management port (Ports__Management) serves /metrics, the one
    /// that is neither it nor the JSON API (Ports__HttpApi) is the replica's gRPC port.
    /// </summary>
    private static ReplicaInstance Instance(string id, CustomResourceSnapshot snapshot)
    {
        string? Value(string name) => snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == name)?.Value;
        var urls = Value("ASPNETCORE_URLS")!.Split(';').Select(url => new Uri(url)).ToList();
        var others = new[] { Value("Ports__HttpApi"), Value("Ports__Management") };
        var management = urls.Single(url => url.Port.ToString() == Value("Ports__Management"));
        return new ReplicaInstance(id, urls.Single(url => !others.Contains(url.Port.ToString())), new Uri(management, "/metrics"));
    }
}

// In the topology collection so that it never runs beside the other topologies (they share the fixed ports).
[Collection(TopologyCollection.Name)]
public sealed class ReplicaTopologyTests(ReplicaTopologyFixture topology) : IClassFixture<ReplicaTopologyFixture>, IDisposable
{
    private readonly List<GrpcChannel> _channels = [];

    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task TheDashboardListsTwoRunningInstancesOfEachService()
    {
        var gateways = await topology.InstancesAsync(ResourceNames.SessionHost);
        var reporting = await topology.InstancesAsync(ResourceNames.Reporting);
        var licenseServers = await topology.InstancesAsync(ResourceNames.LicenseServer);

        Assert.Equal(2, gateways.Select(g => g.Id).Distinct().Count());
        Assert.Equal(2, gateways.Select(g => g.Grpc.Port).Distinct().Count());
        Assert.Equal(2, reporting.Select(r => r.Id).Distinct().Count());
        Assert.Equal(2, licenseServers.Select(l => l.Id).Distinct().Count());
        Assert.Equal(2, licenseServers.Select(l => l.Grpc.Port).Distinct().Count());
    }

    [Fact]
    public async Task AHostConfiguredOnOneGatewayReplicaAdmitsAConnectionOnTheOtherWhoseSessionSignsInOnTheFirst()
    {
        var gateways = await topology.InstancesAsync(ResourceNames.SessionHost);
        var (first, second) = (gateways[0].Grpc, gateways[1].Grpc);

        await Gateway(first, TestKeys.Admin).ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = "rdsh-replicas", Version = ProductVersion._2022, LicensingMode = LicensingMode.PerDevice, LicenseServers = { ResourceNames.LicenseServer },
        }, deadline: Deadline);
        var connected = await Gateway(second, TestKeys.Client).ConnectAsync(new ConnectRequest
        {
            HostId = "rdsh-replicas", Device = new Device { HardwareId = "replica-device", ComputerName = "PC-REPLICA" }, User = new User { Domain = "CONTOSO", Name = "rep" },
        }, deadline: Deadline);
        var signedIn = await Gateway(first, TestKeys.Client).SignInAsync(new SignInRequest { SessionId = connected.SessionId }, deadline: Deadline);

        Assert.True(connected.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalIssued, connected.Reason);
        Assert.NotEqual(ReasonCode.Unspecified, signedIn.Reason);
    }

    [Fact]
    public async Task AReportGeneratedOnOneReportingReplicaIsListedAndDeletedOnTheOther()
    {
        var instances = await topology.InstancesAsync(ResourceNames.Reporting);
        var (first, second) = (Reporter(instances[0].Grpc), Reporter(instances[1].Grpc));

        var report = (await first.GenerateReportAsync(new GenerateReportRequest { Kind = ReportKind.PerDevice }, deadline: Deadline)).Report;
        var listed = await second.ListReportsAsync(new ListReportsRequest(), deadline: Deadline);
        await second.DeleteReportAsync(new DeleteReportRequest { ReportId = report.ReportId }, deadline: Deadline);
        var afterDelete = await first.ListReportsAsync(new ListReportsRequest(), deadline: Deadline);

        Assert.Contains(listed.Reports, r => r.ReportId == report.ReportId);
        Assert.DoesNotContain(afterDelete.Reports, r => r.ReportId == report.ReportId);
    }

    [Fact]
    public async Task BothLicenseServerReplicasAnswerWithTheOneServerIdentityAndSigningKeyInTheDatabase()
    {
        var replicas = await topology.InstancesAsync(ResourceNames.LicenseServer);

        var servers = await Task.WhenAll(replicas.Select(async r =>
            (await LicenseServer(r.Grpc, TestKeys.Admin).GetServerInfoAsync(new GetServerInfoRequest(), deadline: Deadline)).Server));
        var stored = await PostgresColumn.ReadAsync<string>(await topology.DatabaseAsync("licensing"), "SELECT server_id FROM server");

        Assert.Equal(2, servers.Length);
        Assert.Single(servers.Select(s => (s.ServerId, Convert.ToHexString(s.PublicKey.Span))).Distinct());
        Assert.Equal([servers[0].ServerId], stored);
    }

    [Fact]
    public async Task CalsIssuedThroughTheGatewayAndOnEachLicenseServerReplicaLandInTheOneLicensingDatabase()
    {
        var replicas = await topology.InstancesAsync(ResourceNames.LicenseServer);
        var gateway = new SessionHostGateway.SessionHostGatewayClient(topology.Invoker(ResourceNames.SessionHost, TestKeys.Admin));
        var client = new SessionHostGateway.SessionHostGatewayClient(topology.Invoker(ResourceNames.SessionHost, TestKeys.Client));
        await gateway.ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = "rdsh-ls-replicas", Version = ProductVersion._2022, LicensingMode = LicensingMode.PerDevice, LicenseServers = { ResourceNames.LicenseServer },
        }, deadline: Deadline);

        var connected = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => client.ConnectAsync(new ConnectRequest
        {
            HostId = "rdsh-ls-replicas", Device = new Device { HardwareId = $"gw-device-{i}", ComputerName = $"PC-GW-{i}" }, User = new User { Domain = "CONTOSO", Name = "rep" },
        }, deadline: Deadline).ResponseAsync));
        var direct = await Task.WhenAll(replicas.Select((r, i) => RequestLicenseAsync(r.Grpc, $"replica-device-{i}")));
        // The same device asking both replicas at once: one pool, so both answer with the one CAL the first commit made.
        var shared = await Task.WhenAll(replicas.Select(r => RequestLicenseAsync(r.Grpc, "shared-device")));
        var licensing = await topology.DatabaseAsync("licensing");
        var stored = await PostgresColumn.ReadAsync<string>(licensing, "SELECT license_id FROM licenses");
        var sharedRows = await PostgresColumn.ReadAsync<string>(licensing, "SELECT license_id FROM licenses WHERE subject = 'shared-device'");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var metrics = await Task.WhenAll(replicas.Select(r => http.GetStringAsync(r.Metrics)));

        Assert.All(connected, c => Assert.Equal(ReasonCode.TemporaryCalIssued, c.Reason));
        var issued = connected.Select(c => c.CertificateDetails.LicenseId).Concat(direct).Concat(shared).ToList();
        Assert.Empty(issued.Except(stored));
        Assert.Single(shared.Distinct());
        Assert.Equal([shared[0]], sharedRows);
        // Each replica's own scrape address shows the CAL that replica issued (the service's port 9101 reaches either one).
        Assert.All(metrics, m => Assert.Contains("rds_cal_issued", m));
        // One replica holds the background-work lease (reclaim sweep, pool alerts) and says so; the other says it does not.
        Assert.Equal([0, 1], metrics.Select(LeaseHeld).Order());
    }

    private static int LeaseHeld(string scrape) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(scrape, @"(?m)^rds_background_lease_held(\{[^}]*\})? (\d)").Groups[2].Value,
            System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }

    private SessionHostGateway.SessionHostGatewayClient Gateway(Uri address, string key) => new(Open(address).WithBearer(key));

    private LicenseServer.LicenseServerClient LicenseServer(Uri address, string key) => new(Open(address).WithBearer(key));

    private async Task<string> RequestLicenseAsync(Uri replica, string hardwareId) =>
        (await LicenseServer(replica, TestKeys.SessionHost).RequestLicenseAsync(new RequestLicenseRequest
        {
            SessionHostId = "rdsh-ls-replicas", SessionHostVersion = ProductVersion._2022, CalType = CalType.PerDevice, HardwareId = hardwareId, ComputerName = $"PC-{hardwareId}",
        }, deadline: Deadline)).License.LicenseId;

    private Reporting.ReportingClient Reporter(Uri address) => new(Open(address).WithBearer(TestKeys.Reporter));

    private GrpcChannel Open(Uri address)
    {
        var channel = GrpcChannel.ForAddress(address);
        _channels.Add(channel);
        return channel;
    }
}
