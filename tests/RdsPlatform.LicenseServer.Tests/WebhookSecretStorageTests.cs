using Dapper;
using Microsoft.Data.Sqlite;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Testing;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>Webhook secrets are encrypted at rest; secrets an earlier release stored in clear are encrypted at start and still sign.</summary>
public sealed class WebhookSecretStorageTests : IAsyncLifetime
{
    private const string Secret = "whsec-at-rest-0123456789";
    private readonly WebhookReceiver _receiver = new();
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => _receiver.StartAsync();

    [Fact]
    public async Task TheDatabaseHoldsNoSecretInClearAndDeliveriesAreSignedWithTheSecret()
    {
        await SubscribeAsync();

        var stored = await StoredSecretAsync();
        await RunOutOfCalsAsync();
        var delivery = await _receiver.WaitForAsync(1);

        Assert.DoesNotContain(Secret, stored, StringComparison.Ordinal);
        Assert.StartsWith("dp1:", stored, StringComparison.Ordinal);
        Assert.True(delivery.IsSignedWith(Secret));
    }

    [Fact]
    public async Task ASecretStoredInClearByAnEarlierReleaseIsEncryptedAtStartAndStillSigns()
    {
        await SubscribeAsync();
        await using (var connection = Open())
        {
            await connection.ExecuteAsync("UPDATE webhook_subscriptions SET secret = @Secret", new { Secret });
        }

        await _host.RestartAsync();
        await RunOutOfCalsAsync();
        var delivery = await _receiver.WaitForAsync(1);

        Assert.DoesNotContain(Secret, await StoredSecretAsync(), StringComparison.Ordinal);
        Assert.True(delivery.IsSignedWith(Secret));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task SubscribeAsync() =>
        await _host.Client.CreateWebhookSubscriptionAsync(Requests.Webhook(_receiver.Url, Secret, AlertType.PoolNone));

    private async Task RunOutOfCalsAsync()
    {
        await _host.Client.ActivateAsync();
        await _host.Client.RunOutAOneCalPoolAsync("hw-secret");
    }

    private async Task<string> StoredSecretAsync()
    {
        await using var connection = Open();
        return await connection.ExecuteScalarAsync<string>("SELECT secret FROM webhook_subscriptions") ?? "";
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(_host.DataDirectory, SqliteLicenseStore.FileName)};Pooling=False");
        connection.Open();
        return connection;
    }
}
