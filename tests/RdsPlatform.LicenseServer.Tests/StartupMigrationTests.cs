using Dapper;
using Microsoft.Data.Sqlite;
using RdsPlatform.LicenseServer.Storage;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>The license database is created or migrated, and the identity stored, by a start-up step before the server accepts calls.</summary>
public sealed class StartupMigrationTests
{
    [Fact]
    public async Task TheSchemaAndIdentityExistOnceTheServerStartedBeforeAnyCall()
    {
        await using var host = new LicenseServerHost();

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataDirectory, SqliteLicenseStore.FileName)};Pooling=False");
        await connection.OpenAsync();
        Assert.Equal(5L, await connection.ExecuteScalarAsync<long>("SELECT MAX(version) FROM schema_version"));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM server"));
    }

    [Fact]
    public async Task ADatabaseFromANewerReleaseStopsTheStartWithASentence()
    {
        await using var host = new LicenseServerHost();
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataDirectory, SqliteLicenseStore.FileName)};Pooling=False"))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync("INSERT INTO schema_version (version, applied_at) VALUES (99, 0)");
        }

        var error = await Assert.ThrowsAnyAsync<Exception>(host.RestartAsync);

        Assert.Contains("schema version 99", error.GetBaseException().Message);
    }
}
