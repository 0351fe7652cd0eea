using Dapper;
using Npgsql;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Storage;

namespace RdsPlatform.LicenseServer.Tests.Stores;

/// <summary>
/// The license server with <c>Storage:Provider=Postgres</c> keeps its webhooks, deliveries and alert state in its
/// PostgreSQL database, beside its licenses: no SQLite file, the webhook key ring in <c>Storage:DataDirectory</c>.
/// </summary>
public sealed class AlertsOnPostgresTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    private const string Secret = "whsec-postgres-0123456789";
    private readonly WebhookReceiver _receiver = new();
    private string _connectionString = "";
    private LicenseServerHost _host = null!;

    public async Task InitializeAsync()
    {
        await _receiver.StartAsync();
        _connectionString = await database.CreateDatabaseAsync("lsalerts");
        _host = new LicenseServerHost(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["ConnectionStrings:licensing"] = _connectionString,
        });
    }

    [Fact]
    public async Task WebhooksDeliveriesAndAlertStateLiveInPostgresAndNoSqliteFileIsMade()
    {
        var subscription = await _host.Client.CreateWebhookSubscriptionAsync(Requests.Webhook(_receiver.Url, Secret, AlertType.PoolNone));
        await _host.Client.ActivateAsync();
        await _host.Client.RunOutAOneCalPoolAsync("hw-postgres");

        var delivery = await _receiver.WaitForAsync(1);
        await using var connection = new NpgsqlConnection(_connectionString);
        var storedSecret = await connection.ExecuteScalarAsync<string>("SELECT secret FROM webhook_subscriptions WHERE subscription_id = @id",
            new { id = subscription.Subscription.SubscriptionId });
        var deliveries = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM webhook_deliveries");
        var states = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM alert_state");

        Assert.True(delivery.IsSignedWith(Secret));
        Assert.StartsWith("dp1:", storedSecret, StringComparison.Ordinal);
        Assert.Equal(1, deliveries);
        Assert.True(states > 0);
        Assert.False(File.Exists(Path.Combine(_host.DataDirectory, SqliteLicenseStore.FileName)));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_host.DataDirectory, "webhook-keys")));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }
}
