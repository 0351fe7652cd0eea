using System.Collections.Concurrent;
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
        await using var a = await StartReplicaAsync(farm, "ls-a", database);
        await using var b = await StartReplicaAsync(farm, "ls-b", database);
        var admin = new LicenseServer.LicenseServerClient(b.Channel.Authorized(TestKeys.Admin));
        await admin.ActivateServerAsync(Requests.Activate());
        await admin.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: Seats));
        var gateway = await farm.StartGatewayAsync(
            ("LicenseServers__ls-a", a.Address.ToString().TrimEnd('/')), ("LicenseServers__ls-b", b.Address.ToString().TrimEnd('/')));
        await ProcessFarm.GatewayAdmin(gateway).ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = HostId, Version = ProductVersion._2022, LicensingMode = LicensingMode.PerDevice, LicenseServers = { "ls-a", "ls-b" },
        });

        var acknowledged = new ConcurrentDictionary<string, string>();
        var unexpected = new ConcurrentQueue<string>();
        var answers = 0;
        var killed = new TaskCompletionSource();
        var callers = Enumerable.Range(0, Callers).Select(c => Task.Run(async () =>
        {
            for (var d = 0; d < DevicesPerCaller; d++)
            {
                var device = $"kill-{c}-{d}";
                foreach (var answer in await NewDeviceAsync(gateway, device))
                {
                    if (!answer.Admitted || answer.CertificateDetails is null)
                    {
                        unexpected.Enqueue($"{device}: {answer.Reason} {answer.Message}");
                        continue;
                    }

                    acknowledged[answer.CertificateDetails.LicenseId] = device;
                }

                if (Interlocked.Increment(ref answers) == Callers * 2)
                {
                    a.Kill();
                    killed.SetResult();
                }
            }
        })).ToList();
        await Task.WhenAll(callers);

        Assert.True(killed.Task.IsCompleted, "The replica was never killed.");
        Assert.Empty(unexpected);
        var stored = await PostgresColumn.ReadAsync<string>(database, "SELECT license_id FROM licenses");
        Assert.Empty(acknowledged.Keys.Except(stored));
        Assert.Equal([(long)Seats], await PostgresColumn.ReadAsync<long>(database, "SELECT count(*) FROM licenses WHERE key_pack_id IS NOT NULL"));
        Assert.Equal([(long)Seats], await PostgresColumn.ReadAsync<long>(database, "SELECT count(DISTINCT subject) FROM licenses WHERE key_pack_id IS NOT NULL"));
        var pack = Assert.Single((await admin.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal((Seats, 0), (pack.Issued, pack.Available));
        output.WriteLine($"{Callers} callers x {DevicesPerCaller} new devices (connect, sign in, connect) through one gateway listing both replicas;" +
            $" ls-a killed after {Callers * 2} devices; {acknowledged.Count} CALs acknowledged, all stored; {Seats} seats, {Seats} permanent.");
    }

    /// <summary>First connection, sign-in, second connection (the upgrade when a seat is free); the answers that carry a CAL.</summary>
    private static async Task<ConnectResponse[]> NewDeviceAsync(ServiceProcess gateway, string device)
    {
        var client = ProcessFarm.GatewayClient(gateway);
        var first = await client.ConnectAsync(ProcessFarm.Device(HostId, device));
        if (!first.Admitted)
        {
            return [first];
        }

        await client.SignInAsync(new SignInRequest { SessionId = first.SessionId });
        var second = await client.ConnectAsync(ProcessFarm.Device(HostId, device, first.Certificate));
        return [first, second];
    }

    private async Task<ServiceProcess> StartReplicaAsync(ProcessFarm farm, string name, string connectionString)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["Storage__Provider"] = "Postgres",
            ["ConnectionStrings__licensing"] = connectionString,
            ["Storage__DataDirectory"] = Path.Combine(farm.LogFolder, name + "-data"),
            ["ConnectionStrings__cache"] = cache.ConnectionString,
            ["Kestrel__EndpointDefaults__Protocols"] = "Http2",
            ["Logging__Console__FormatterName"] = "simple",
        };
        foreach (var (key, value) in FarmKeys.Environment())
        {
            environment[key] = value;
        }

        var replica = new ServiceProcess(name, "RdsPlatform.LicenseServer", GarnetFixture.FreeTcpPort(), Path.Combine(farm.LogFolder, name + ".log"), environment);
        await replica.StartAsync();
        output.WriteLine($"{name}: pid {replica.ProcessId}, log {replica.LogPath}");
        return replica;
    }
}
