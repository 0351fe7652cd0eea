using Npgsql;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;
using Xunit.Abstractions;

namespace RdsPlatform.Reliability.Tests;

/// <summary>
/// The database server stopped and started under load: while it is down callers get UNAVAILABLE with a sentence they can
/// act on, nothing acknowledged is lost, and the service recovers by itself once the server is back (no restart).
/// Each test runs its own PostgreSQL server, so stopping it disturbs no other test.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class PostgresOutageTests(GarnetFixture cache, ITestOutputHelper output)
{
    [Fact]
    public async Task TheGatewayAnswersUnavailableWhileItsDatabaseIsDownAndRecoversByItself()
    {
        var server = await PostgresServer.StartPrivateAsync();
        try
        {
            var connectionString = await server.CreateDatabaseAsync("gateway");
            await using var farm = await ProcessFarm.StartAsync(cache, "pg-gw-down");
            var gateway = await farm.StartGatewayAsync(("Storage__Provider", "Postgres"), ("ConnectionStrings__gateway", connectionString));
            var admin = ProcessFarm.GatewayAdmin(gateway);
            var load = new OutageLoad();
            load.Start(4, async (worker, i) =>
            {
                var hostId = $"rdsh-{worker}-{i:D5}";
                await admin.ConfigureSessionHostAsync(new ConfigureSessionHostRequest
                {
                    HostId = hostId,
                    Version = ProductVersion._2022,
                    LicensingMode = LicensingMode.PerDevice,
                    LicenseServers = { ProcessFarm.LicenseServerName },
                }, deadline: DateTime.UtcNow.AddSeconds(20));
                return hostId;
            });

            var outage = await load.RunThroughOutageAsync(server);

            var stored = await StoredHostsAsync(connectionString);
            Assert.Empty(load.Acknowledged.Except(stored, StringComparer.OrdinalIgnoreCase));
            var found = await admin.GetSessionHostAsync(new GetSessionHostRequest { HostId = load.Acknowledged[0] });
            Assert.Equal(load.Acknowledged[0], found.Host.HostId, ignoreCase: true);
            output.WriteLine($"{outage} Acknowledged {load.AcknowledgedCount} host registrations, all {stored.Count} found in PostgreSQL afterwards.");
        }
        finally
        {
            server.Stop();
        }
    }

    [Fact]
    public async Task TheLicenseServerAnswersUnavailableWhileItsDatabaseIsDownLosesNoCalAndRecoversByItself()
    {
        var server = await PostgresServer.StartPrivateAsync();
        try
        {
            var connectionString = await server.CreateDatabaseAsync("licensing");
            await using var farm = await ProcessFarm.StartAsync(cache, "pg-ls-down",
                ("Storage__Provider", "Postgres"), ("ConnectionStrings__licensing", connectionString));
            var load = new OutageLoad();
            // New devices on a server not activated: a temporary Per Device CAL each, every answer a CAL that must be kept.
            load.Start(4, async (worker, i) => (await farm.LicenseHost.RequestLicenseAsync(new RequestLicenseRequest
            {
                SessionHostId = "rdsh-1",
                SessionHostVersion = ProductVersion._2022,
                CalType = CalType.PerDevice,
                HardwareId = $"pg-down-{worker}-{i:D5}",
                ComputerName = $"PC-{worker}-{i:D5}",
            }, deadline: DateTime.UtcNow.AddSeconds(20))).License.LicenseId);

            var outage = await load.RunThroughOutageAsync(server);

            var stored = (await farm.IssuedAsync()).Select(l => l.LicenseId).ToHashSet();
            Assert.Empty(load.Acknowledged.Except(stored));
            output.WriteLine($"{outage} Acknowledged {load.AcknowledgedCount} CALs, all listed by the license server afterwards ({stored.Count} stored).");
        }
        finally
        {
            server.Stop();
        }
    }

    private static async Task<List<string>> StoredHostsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT host_id FROM session_hosts", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var hosts = new List<string>();
        while (await reader.ReadAsync())
        {
            hosts.Add(reader.GetString(0));
        }

        return hosts;
    }
}
