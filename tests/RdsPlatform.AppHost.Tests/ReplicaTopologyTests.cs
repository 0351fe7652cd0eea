using Aspire.Hosting.ApplicationModel;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost.Tests;

/// <summary>
/// The topology on the AppHost's PostgreSQL server with two gateway and two reporting processes
/// (<c>Replicas:SessionHost=2</c>, <c>Replicas:Reporting=2</c>): each replica is its own resource instance with its own
/// ports behind the service's one proxied port.
/// </summary>
public sealed class ReplicaTopologyFixture : TopologyFixture
{
    protected override IEnumerable<string> Arguments => ["--Database:Mode=postgres", "--Replicas:SessionHost=2", "--Replicas:Reporting=2"];

    /// <summary>The running instances of a service as the dashboard lists them, each with the gRPC address of that process alone.</summary>
    public async Task<IReadOnlyList<(string Id, Uri Grpc)>> InstancesAsync(string service)
    {
        var resource = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == service);
        var expected = resource.TryGetLastAnnotation<ReplicaAnnotation>(out var replicas) ? replicas.Replicas : 1;
        var running = new Dictionary<string, Uri>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        // The notifications start with every instance's current state, then follow its changes.
        await foreach (var e in App.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (e.Resource.Name == service && e.Snapshot.State?.Text == KnownResourceStates.Running
                && e.Snapshot.EnvironmentVariables.Any(v => v.Name == "ASPNETCORE_URLS"))
            {
                running[e.ResourceId] = GrpcAddress(e.Snapshot);
                if (running.Count == expected)
                {
                    break;
                }
            }
        }

        return [.. running.Select(r => (r.Key, r.Value))];
    }

    /// <summary>The one listener of ASPNETCORE_URLS that is neither the JSON API nor the management port: the replica's gRPC port.</summary>
    private static Uri GrpcAddress(CustomResourceSnapshot snapshot)
    {
        string? Value(string name) => snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == name)?.Value;
        var others = new[] { Value("Ports__HttpApi"), Value("Ports__Management") };
        return Value("ASPNETCORE_URLS")!.Split(';').Select(url => new Uri(url)).Single(url => !others.Contains(url.Port.ToString()));
    }
}

// In the topology collection so that it never runs beside the other topologies (they share the fixed ports).
[Collection(TopologyCollection.Name)]
public sealed class ReplicaTopologyTests(ReplicaTopologyFixture topology) : IClassFixture<ReplicaTopologyFixture>, IDisposable
{
    private readonly List<GrpcChannel> _channels = [];

    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task TheDashboardListsTwoRunningInstancesOfTheGatewayAndOfReportingAndOneOfTheLicenseServer()
    {
        var gateways = await topology.InstancesAsync(ResourceNames.SessionHost);
        var reporting = await topology.InstancesAsync(ResourceNames.Reporting);
        var licenseServers = await topology.InstancesAsync(ResourceNames.LicenseServer);

        Assert.Equal(2, gateways.Select(g => g.Id).Distinct().Count());
        Assert.Equal(2, gateways.Select(g => g.Grpc.Port).Distinct().Count());
        Assert.Equal(2, reporting.Select(r => r.Id).Distinct().Count());
        Assert.Single(licenseServers);
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

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }

    private SessionHostGateway.SessionHostGatewayClient Gateway(Uri address, string key) => new(Open(address).WithBearer(key));

    private Reporting.ReportingClient Reporter(Uri address) => new(Open(address).WithBearer(TestKeys.Reporter));

    private GrpcChannel Open(Uri address)
    {
        var channel = GrpcChannel.ForAddress(address);
        _channels.Add(channel);
        return channel;
    }
}
