using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.ServiceDefaults;
using RdsPlatform.Testing;

namespace RdsPlatform.AppHost.Tests;

[Collection(TopologyCollection.Name)]
public sealed class TopologyTests(TopologyFixture topology)
{
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(10);

    [Theory]
    [InlineData(ResourceNames.LicenseServer)]
    [InlineData(ResourceNames.SessionHost)]
    [InlineData(ResourceNames.Reporting)]
    public async Task EveryServiceReportsServingThroughGrpcHealth(string service)
    {
        var health = new Health.HealthClient(topology.Channel(service));

        var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: Deadline);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Theory]
    [InlineData(ResourceNames.LicenseServer, "rds.licensing.v1.LicenseServer")]
    [InlineData(ResourceNames.SessionHost, "rds.sessionhost.v1.SessionHostGateway")]
    [InlineData(ResourceNames.Reporting, "rds.reporting.v1.Reporting")]
    public async Task EveryServiceListsItsContractAndTheClockThroughReflection(string service, string contract)
    {
        var names = await ReflectionListing.ServicesAsync(topology.Channel(service), Deadline);

        Assert.Contains(contract, names);
        Assert.Contains("rds.admin.v1.Clock", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }

    [Fact]
    public void TheEmbeddedCacheSpillsBeyondItsMemoryIntoTheDataRoot()
    {
        // The log folder Garnet's storage tier writes to: without it the cache dropped acknowledged sessions once full.
        var folder = Path.Combine(topology.DataRoot, ResourceNames.CacheServer);
        Assert.True(Directory.Exists(Path.Combine(folder, "Store")), $"The embedded cache has no log folder in {folder}.");
    }

    [Fact]
    public async Task AdvancingTheClockThroughOneServiceMovesItForTheOtherTwo()
    {
        var clocks = TopologyFixture.Services.ToDictionary(s => s, s => new Clock.ClockClient(topology.Invoker(s, TestKeys.Admin)));
        var before = await clocks[ResourceNames.LicenseServer].GetTimeAsync(new GetTimeRequest(), deadline: Deadline);

        var advanced = await clocks[ResourceNames.LicenseServer].AdvanceAsync(
            new AdvanceRequest { By = Duration.FromTimeSpan(TimeSpan.FromDays(30)) }, deadline: Deadline);

        Assert.Equal(ClockMode.Simulated, before.Mode);
        Assert.True(advanced.Offset.ToTimeSpan() >= before.Offset.ToTimeSpan() + TimeSpan.FromDays(30));
        foreach (var other in new[] { ResourceNames.SessionHost, ResourceNames.Reporting })
        {
            // Services re-read the shared offset several times a second; they must agree within one.
            var agreed = false;
            for (var attempt = 0; attempt < 20 && !agreed; attempt++)
            {
                var reference = await clocks[ResourceNames.LicenseServer].GetTimeAsync(new GetTimeRequest(), deadline: Deadline);
                var seen = await clocks[other].GetTimeAsync(new GetTimeRequest(), deadline: Deadline);
                agreed = (seen.Now.ToDateTimeOffset() - reference.Now.ToDateTimeOffset()).Duration() < TimeSpan.FromSeconds(1)
                    && seen.Offset.ToTimeSpan() >= advanced.Offset.ToTimeSpan();
                if (!agreed)
                {
                    await Task.Delay(100);
                }
            }

            Assert.True(agreed, $"{other} did not pick up the advanced time within two seconds.");
        }
    }

    [Fact]
    public async Task AdvancingTimeBackwardsIsRefusedWithTheFieldNamed()
    {
        var clock = new Clock.ClockClient(topology.Invoker(ResourceNames.SessionHost, TestKeys.Admin));

        var error = await Assert.ThrowsAsync<RpcException>(() => clock.AdvanceAsync(
            new AdvanceRequest { By = Duration.FromTimeSpan(TimeSpan.FromDays(-1)) }, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("by", error.Status.Detail);
    }
}
