using Npgsql;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.Storage;

/// <summary>The gateway with <c>Storage:Provider=Postgres</c>: its hosts, grace periods, keys and outbox live in PostgreSQL, across restarts.</summary>
public sealed class GatewayOnPostgresTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task HealthProbesRunTheDatabaseCheckAtMostOncePerCacheDuration()
    {
        var cacheDuration = TimeSpan.FromMilliseconds(500);
        await using var farm = new Farm();
        farm.GatewaySettings["Storage:Provider"] = "Postgres";
        farm.GatewaySettings["ConnectionStrings:gateway"] = await database.CreateDatabaseAsync("gateway");
        farm.GatewaySettings["Health:CacheDuration"] = cacheDuration.ToString();
        await farm.RestartGatewayAsync();
        await HealthProbes.StormAsync(farm.GatewayChannel, TimeSpan.Zero, concurrency: 1);
        using var runs = new HealthCheckRuns(farm.GatewayServices);

        var (_, elapsed) = await HealthProbes.StormAsync(farm.GatewayChannel, TimeSpan.FromSeconds(2));

        // Aspire.Npgsql's check; a run begun before the storm may end (and be counted) within it.
        Assert.InRange(runs.Of("PostgreSql"), 2, (int)(elapsed / cacheDuration) + 2);
    }

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

    [Fact]
    public async Task NotTrackedSignInsAndLicenseServerKeysLiveInPostgresAndNoSqliteFileIsMade()
    {
        await using var farm = new Farm();
        var connectionString = await database.CreateDatabaseAsync("gateway");
        farm.GatewaySettings["Storage:Provider"] = "Postgres";
        farm.GatewaySettings["ConnectionStrings:gateway"] = connectionString;
        // The farm's first gateway started on SQLite; this one must not need the file.
        await farm.RestartGatewayAsync();
        foreach (var file in Directory.GetFiles(farm.GatewayDataDirectory, "session-host.db*"))
        {
            File.Delete(file);
        }

        await farm.RestartGatewayAsync();
        await farm.ConfigureAsync("rdsh-pg", LicensingMode.PerUser);
        farm.LicenseServerDown = true;
        var admitted = await farm.ConnectUserAsync("rdsh-pg", "", "kiosk");
        await farm.RestartGatewayAsync();
        var waitingAfterRestart = await CountAsync(connectionString, "not_tracked_sign_ins");
        farm.LicenseServerDown = false;

        Assert.Equal(ReasonCode.PerUserNotTracked, admitted.Reason);
        Assert.Equal(1, waitingAfterRestart);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await CountAsync(connectionString, "not_tracked_sign_ins") > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, await CountAsync(connectionString, "not_tracked_sign_ins"));
        Assert.Equal(1, await CountAsync(connectionString, "license_server_keys"));
        Assert.Empty(Directory.GetFiles(farm.GatewayDataDirectory, "session-host.db*"));
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

    private static async Task<long> CountAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // The table name is one of this class's constants, never input.
        await using var command = new NpgsqlCommand($"SELECT COUNT(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
