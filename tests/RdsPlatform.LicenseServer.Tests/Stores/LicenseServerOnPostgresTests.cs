using Npgsql;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests.Stores;

/// <summary>
/// The whole license server with <c>Storage:Provider=Postgres</c>: its CALs live in PostgreSQL, alerts still reach
/// webhooks (their tables stay in the SQLite file for now), and settings that cannot work stop the start with a sentence.
/// </summary>
public sealed class LicenseServerOnPostgresTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    private readonly WebhookReceiver _receiver = new();

    public Task InitializeAsync() => _receiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task CalsAreStoredInPostgresAndARunOutPoolStillReachesAWebhook()
    {
        var connectionString = await database.CreateDatabaseAsync("lsserver");
        await using var host = new LicenseServerHost(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["ConnectionStrings:licensing"] = connectionString,
        });
        await host.Client.CreateWebhookSubscriptionAsync(new CreateWebhookSubscriptionRequest
        {
            Url = _receiver.Url.ToString(), EventTypes = { AlertType.PoolNone }, Secret = "whsec-postgres-0123456789",
        });

        await host.Client.ActivateAsync();
        await host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 1));
        var permanent = await host.Client.PermanentDeviceAsync("hw-pg");
        var delivery = await _receiver.WaitForAsync(1);

        Assert.Equal(CalStatus.Permanent, permanent.License.Status);
        Assert.Equal("pool.none", delivery.EventType);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT license_id, subject FROM licenses", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((permanent.License.LicenseId, "hw-pg"), (reader.GetString(0), reader.GetString(1)));
        Assert.False(await reader.ReadAsync());
    }

    [Theory]
    [InlineData("Postgres", "Storage:Provider is Postgres but ConnectionStrings:licensing is not set")]
    [InlineData("Oracle", "Storage:Provider 'Oracle' is unknown; use Sqlite")]
    public async Task AStorageSettingThatCannotWorkStopsTheStartNamingTheKey(string provider, string sentence)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = new LicenseServerHost(new Dictionary<string, string?> { ["Storage:Provider"] = provider });
            await host.Client.GetServerInfoAsync(new GetServerInfoRequest());
        });

        Assert.Contains(sentence, error.ToString());
    }
}
