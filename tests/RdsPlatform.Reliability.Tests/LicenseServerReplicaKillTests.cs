using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;
using Xunit.Abstractions;

namespace RdsPlatform.Reliability.Tests;

/// <summary>
/// kill -9 of one of two license-server replicas (real processes on one PostgreSQL database) while 20 callers add new
/// devices through a gateway that lists both: the gateway moves to the other replica inside the same Connect, every CAL
/// a caller was given is in the database afterwards, and the pool is never over-allocated.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class LicenseServerReplicaKillTests(GarnetFixture cache, ITestOutputHelper output)
{
    private const int Callers = 20;
    private const int DevicesPerCaller = 8;
    private const int Seats = 100;
    private const string HostId = "rdsh-replicas";

    [Fact]
    public async Task KillNineOfOneReplicaLosesNoAcknowledgedCalAndTheGatewayMovesToTheOther()
    {
        await using var farm = await ProcessFarm.StartAsync(cache, "ls-replica-kill");
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("lskill");
        await using var a = await LicenseServerReplicas.StartAsync(farm, cache, "ls-a", database, output);
        await using var b = await LicenseServerReplicas.StartAsync(farm, cache, "ls-b", database, output);
        var admin = new LicenseServer.LicenseServerClient(b.Channel.Authorized(TestKeys.Admin));
        await admin.ActivateServerAsync(Requests.Activate());
        await admin.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: Seats));
        var gateway = await farm.StartGatewayAsync(
            ("LicenseServers__ls-a", a.Address.ToString().TrimEnd('/')), ("LicenseServers__ls-b", b.Address.ToString().TrimEnd('/')));
        await ProcessFarm.GatewayAdmin(gateway).ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = HostId, Version = ProductVersion._2022, LicensingMode = LicensingMode.PerDevice, LicenseServers = { "ls-a", "ls-b" },
        });

        var (acknowledged, unexpected) = await LicenseServerReplicas.AddDevicesAsync(gateway, HostId, Callers, DevicesPerCaller, Callers * 2, a.Kill);

        Assert.Empty(unexpected);
        await LicenseServerReplicas.AssertNothingLostNorOverAllocatedAsync(database, admin, acknowledged.Keys, Seats);
        output.WriteLine($"{Callers} callers x {DevicesPerCaller} new devices (connect, sign in, connect) through one gateway listing both replicas;" +
            $" ls-a killed after {Callers * 2} devices; {acknowledged.Count} CALs acknowledged, all stored; {Seats} seats, {Seats} permanent.");
    }
}
