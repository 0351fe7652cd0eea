using Grpc.Core;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost.Tests;

/// <summary>The AppHost hands every service the keys of its parameters, and the services call each other with theirs.</summary>
[Collection(TopologyCollection.Name)]
public sealed class TopologySecurityTests(TopologyFixture topology)
{
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Theory]
    [InlineData(ResourceNames.LicenseServer)]
    [InlineData(ResourceNames.SessionHost)]
    [InlineData(ResourceNames.Reporting)]
    public async Task EveryServiceRefusesACallWithoutAKeyAndAnswersTheAdminKey(string service)
    {
        var anonymous = new Clock.ClockClient(topology.Channel(service));
        var admin = new Clock.ClockClient(topology.Invoker(service, TestKeys.Admin));

        var refused = await Assert.ThrowsAsync<RpcException>(() => anonymous.GetTimeAsync(new GetTimeRequest(), deadline: Deadline).ResponseAsync);
        var time = await admin.GetTimeAsync(new GetTimeRequest(), deadline: Deadline);

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("authorization: Bearer", refused.Status.Detail);
        Assert.NotNull(time.Now);
    }

    [Fact]
    public async Task TheGatewayReachesTheLicenseServerWithItsOwnKey()
    {
        var admin = new SessionHostGateway.SessionHostGatewayClient(topology.Invoker(ResourceNames.SessionHost, TestKeys.Admin));
        var client = new SessionHostGateway.SessionHostGatewayClient(topology.Invoker(ResourceNames.SessionHost, TestKeys.Client));
        await admin.ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = "rdsh-apphost-keys",
            Version = ProductVersion._2022,
            LicensingMode = LicensingMode.PerDevice,
            LicenseServers = { ResourceNames.LicenseServer },
        }, deadline: Deadline);

        var connected = await client.ConnectAsync(new ConnectRequest
        {
            HostId = "rdsh-apphost-keys",
            Device = new Device { HardwareId = "apphost-keys-device", ComputerName = "PC-KEYS" },
            User = new User { Domain = "CONTOSO", Name = "keys" },
        }, deadline: Deadline);

        Assert.True(connected.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalIssued, connected.Reason);
    }

    [Fact]
    public async Task ReportingReachesTheLicenseServerWithItsOwnKey()
    {
        var reporter = new Reporting.ReportingClient(topology.Invoker(ResourceNames.Reporting, TestKeys.Reporter));

        var summary = await reporter.GetComplianceSummaryAsync(new GetComplianceSummaryRequest(), deadline: Deadline);

        Assert.NotNull(summary.GeneratedAt);
    }
}
