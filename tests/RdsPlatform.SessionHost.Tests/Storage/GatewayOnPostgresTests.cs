using Npgsql;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.Storage;

/// <summary>The gateway with <c>Storage:Provider=Postgres</c>: its hosts and grace periods live in PostgreSQL, across restarts.</summary>
public sealed class GatewayOnPostgresTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task HostsAndGracePeriodsAreKeptInPostgresAcrossARestart()
    {
        await using var farm = new Farm();
        var connectionString = await database.CreateDatabaseAsync("gateway");
        farm.GatewaySettings["Storage:Provider"] = "Postgres";
        farm.GatewaySettings["ConnectionStrings:gateway"] = connectionString;
        await farm.RestartGatewayAsync();

        var created = await farm.ConfigureAsync("rdsh-pg", LicensingMode.NotConfigured);
        farm.AdvanceDays(30);
        await farm.RestartGatewayAsync();
        var connect = await farm.ConnectDeviceAsync("rdsh-pg", "dev-1");

        Assert.True(connect.Admitted);
        Assert.Equal(ReasonCode.GracePeriod, connect.Reason);
        Assert.Equal(90, connect.GraceDaysLeft);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT host_id, grace_started_at FROM session_hosts", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("rdsh-pg", reader.GetString(0));
        Assert.Equal(created.Host.GracePeriodStartedAt.ToDateTimeOffset().UtcTicks, reader.GetInt64(1));
    }

    [Theory]
    [InlineData("Postgres", "Storage:Provider is Postgres but ConnectionStrings:gateway is not set")]
    [InlineData("Oracle", "Storage:Provider 'Oracle' is unknown; use Sqlite")]
    public async Task AStorageSettingThatCannotWorkStopsTheStartNamingTheKey(string provider, string sentence)
    {
        await using var farm = new Farm();
        farm.GatewaySettings["Storage:Provider"] = provider;

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await farm.RestartGatewayAsync();
            await farm.ConfigureAsync("rdsh-none", LicensingMode.NotConfigured);
        });

        Assert.Contains(sentence, error.ToString());
    }
}
