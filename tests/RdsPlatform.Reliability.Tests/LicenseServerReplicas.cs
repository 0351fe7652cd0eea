using System.Collections.Concurrent;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;
using Xunit.Abstractions;

namespace RdsPlatform.Reliability.Tests;

/// <summary>License-server replicas as real processes on one PostgreSQL database, and a new device's way through a gateway.</summary>
public static class LicenseServerReplicas
{
    /// <summary>Starts a replica on the database; <paramref name="settings"/> are more environment variables (or replace the defaults).</summary>
    public static async Task<ServiceProcess> StartAsync(ProcessFarm farm, GarnetFixture cache, string name, string connectionString, ITestOutputHelper output,
        params (string Key, string Value)[] settings)
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

        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var replica = new ServiceProcess(name, "RdsPlatform.LicenseServer", GarnetFixture.FreeTcpPort(), Path.Combine(farm.LogFolder, name + ".log"), environment);
        await replica.StartAsync();
        output.WriteLine($"{name}: pid {replica.ProcessId}, log {replica.LogPath}");
        return replica;
    }

    /// <summary>First connection, sign-in, second connection (the upgrade when a seat is free); the answers that carry a CAL.</summary>
    public static async Task<ConnectResponse[]> NewDeviceAsync(ServiceProcess gateway, string hostId, string device)
    {
        var client = ProcessFarm.GatewayClient(gateway);
        var first = await client.ConnectAsync(ProcessFarm.Device(hostId, device));
        if (!first.Admitted)
        {
            return [first];
        }

        await client.SignInAsync(new SignInRequest { SessionId = first.SessionId });
        var second = await client.ConnectAsync(ProcessFarm.Device(hostId, device, first.Certificate));
        return [first, second];
    }

    /// <summary>
    /// <paramref name="callers"/> callers each add <paramref name="devicesPerCaller"/> new devices through the gateway;
    /// <paramref name="fault"/> runs once, in the caller whose answer is the <paramref name="faultAfter"/>th.
    /// Returns the CALs acknowledged (license id to device) and every answer that was not a CAL.
    /// </summary>
    public static async Task<(ConcurrentDictionary<string, string> Acknowledged, IReadOnlyList<string> Unexpected)> AddDevicesAsync(
        ServiceProcess gateway, string hostId, int callers, int devicesPerCaller, int faultAfter, Action fault)
    {
        var acknowledged = new ConcurrentDictionary<string, string>();
        var unexpected = new ConcurrentQueue<string>();
        var answers = 0;
        var faulted = false;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            for (var d = 0; d < devicesPerCaller; d++)
            {
                var device = $"kill-{c}-{d}";
                foreach (var answer in await NewDeviceAsync(gateway, hostId, device))
                {
                    if (!answer.Admitted || answer.CertificateDetails is null)
                    {
                        unexpected.Enqueue($"{device}: {answer.Reason} {answer.Message}");
                        continue;
                    }

                    acknowledged[answer.CertificateDetails.LicenseId] = device;
                }

                if (Interlocked.Increment(ref answers) == faultAfter)
                {
                    fault();
                    Volatile.Write(ref faulted, true);
                }
            }
        })));
        Assert.True(Volatile.Read(ref faulted), "The fault never ran.");
        return (acknowledged, unexpected.ToList());
    }

    /// <summary>Every acknowledged CAL is in the database, and exactly <paramref name="seats"/> devices hold the pool's seats.</summary>
    public static async Task AssertNothingLostNorOverAllocatedAsync(string database, LicenseServer.LicenseServerClient admin,
        IEnumerable<string> acknowledged, int seats)
    {
        var stored = await PostgresColumn.ReadAsync<string>(database, "SELECT license_id FROM licenses");
        Assert.Empty(acknowledged.Except(stored));
        Assert.Equal([(long)seats], await PostgresColumn.ReadAsync<long>(database, "SELECT count(*) FROM licenses WHERE key_pack_id IS NOT NULL"));
        Assert.Equal([(long)seats], await PostgresColumn.ReadAsync<long>(database, "SELECT count(DISTINCT subject) FROM licenses WHERE key_pack_id IS NOT NULL"));
        var pack = Assert.Single((await admin.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal((seats, 0), (pack.Issued, pack.Available));
    }
}
