using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;
using Xunit.Abstractions;

namespace RdsPlatform.Reliability.Tests;

/// <summary>
/// kill -9 of the license-server replica behind the gateway's connection, when the gateway knows ONE address: a TCP
/// balancer in front of two replicas (real processes on one PostgreSQL database), as the AppHost's proxy is. 20 callers
/// add new devices meanwhile: the gateway retries each broken call on a fresh connection, which the balancer sends to the
/// live replica, so no Connect is denied for want of a license server, no acknowledged CAL is lost and the pool is exact.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class LicenseServerBehindOneAddressKillTests(GarnetFixture cache, ITestOutputHelper output)
{
    private const int Callers = 20;
    private const int DevicesPerCaller = 8;
    private const int Seats = 100;
    private const string HostId = "rdsh-balanced";

    [Fact]
    public async Task KillNineOfTheReplicaBehindTheGatewaysConnectionDeniesNoConnect()
    {
        await using var farm = await ProcessFarm.StartAsync(cache, "ls-balanced-kill");
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("lsbalanced");
        await using var a = await LicenseServerReplicas.StartAsync(farm, cache, "ls-a", database, output);
        await using var b = await LicenseServerReplicas.StartAsync(farm, cache, "ls-b", database, output);
        var admin = new LicenseServer.LicenseServerClient(b.Channel.Authorized(TestKeys.Admin));
        await admin.ActivateServerAsync(Requests.Activate());
        await admin.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: Seats));
        await using var balancer = new TcpBalancer([a.Port, b.Port]);
        var gateway = await farm.StartGatewayAsync(("LicenseServers__ls", $"http://127.0.0.1:{balancer.Port}"));
        await ProcessFarm.GatewayAdmin(gateway).ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = HostId, Version = ProductVersion._2022, LicensingMode = LicensingMode.PerDevice, LicenseServers = { "ls" },
        });

        var killed = "";
        var openToKilled = 0;
        var (acknowledged, unexpected) = await LicenseServerReplicas.AddDevicesAsync(gateway, HostId, Callers, DevicesPerCaller, Callers * 2, () =>
        {
            // The replica the gateway's connections go to now (the balancer spreads new connections over both).
            var victim = balancer.OpenTo(a.Port) >= balancer.OpenTo(b.Port) ? a : b;
            openToKilled = balancer.OpenTo(victim.Port);
            killed = victim.Name;
            victim.Kill();
        });

        Assert.True(openToKilled > 0, "The gateway had no connection to the replica that was killed, so the test proved nothing.");
        Assert.Empty(unexpected);
        await LicenseServerReplicas.AssertNothingLostNorOverAllocatedAsync(database, admin, acknowledged.Keys, Seats);
        output.WriteLine($"{Callers} callers x {DevicesPerCaller} new devices through one gateway that knows one balanced address;" +
            $" {killed} (behind {openToKilled} of its connections) killed after {Callers * 2} devices; {acknowledged.Count} CALs acknowledged, all stored; {Seats} seats, {Seats} permanent.");
    }
}
