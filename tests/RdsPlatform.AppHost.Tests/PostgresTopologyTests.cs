using Aspire.Hosting;
using Npgsql;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost.Tests;

/// <summary>
/// The topology with <c>Database:Mode=postgres</c>: the AppHost runs the machine's PostgreSQL server (initdb into the
/// data root, as the postgres user when root), creates the license server's, the gateway's and reporting's databases,
/// and each service keeps its state in its own.
/// </summary>
public sealed class PostgresTopologyFixture : TopologyFixture
{
    protected override IEnumerable<string> Arguments => ["--Database:Mode=postgres"];
}

// In the topology collection so that it never runs beside the other topologies (2 shared cores: a Connect then waited
// out the license server and was admitted on grace alone).
[Collection(TopologyCollection.Name)]
public sealed class PostgresTopologyTests(PostgresTopologyFixture topology) : IClassFixture<PostgresTopologyFixture>
{
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task AConnectionIsAdmittedAndTheHostCalAndReportRowsAreInPostgres()
    {
        var gateway = new SessionHostGateway.SessionHostGatewayClient(topology.Invoker(ResourceNames.SessionHost, TestKeys.Admin));
        var client = new SessionHostGateway.SessionHostGatewayClient(topology.Invoker(ResourceNames.SessionHost, TestKeys.Client));
        var reporter = new Reporting.ReportingClient(topology.Invoker(ResourceNames.Reporting, TestKeys.Reporter));

        await gateway.ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = "rdsh-pg", Version = ProductVersion._2022, LicensingMode = LicensingMode.PerDevice, LicenseServers = { ResourceNames.LicenseServer },
        }, deadline: Deadline);
        var connected = await client.ConnectAsync(new ConnectRequest
        {
            HostId = "rdsh-pg", Device = new Device { HardwareId = "pg-device", ComputerName = "PC-PG" }, User = new User { Domain = "CONTOSO", Name = "pg" },
        }, deadline: Deadline);
        var report = (await reporter.GenerateReportAsync(new GenerateReportRequest { Kind = ReportKind.PerDevice }, deadline: Deadline)).Report;

        Assert.True(connected.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalIssued, connected.Reason);
        Assert.Equal(["rdsh-pg"], await QueryAsync(await topology.DatabaseAsync("gateway"), "SELECT host_id FROM session_hosts"));
        Assert.Equal([report.ReportId], await QueryAsync(await topology.DatabaseAsync("reporting"), "SELECT report_id FROM reports"));
        Assert.Equal(["pg-device"], await QueryAsync(await topology.DatabaseAsync("licensing"), "SELECT subject FROM licenses"));
        Assert.Equal(1, report.EntryCount);
    }

    private static async Task<List<string>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}

/// <summary>The AppHost's PostgreSQL resource name (the AppHost's own constant is not visible to its tests).</summary>
internal static class DatabaseResourceNames
{
    public const string Postgres = "postgres";
}
