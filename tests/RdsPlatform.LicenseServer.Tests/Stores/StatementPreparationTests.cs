using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Storage;

namespace RdsPlatform.LicenseServer.Tests.Stores;

/// <summary>
/// The license server on PostgreSQL has Npgsql prepare the statements it repeats (each unprepared call is parsed again
/// by the server), unless the operator's connection string sets its own <c>Max Auto Prepare</c>, and PostgreSQL plans
/// them for each call's values (a generic plan made while a table was small would keep scanning it).
/// </summary>
public sealed class StatementPreparationTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task TheLicenseDatabasePreparesRepeatedStatementsByDefault()
    {
        var settings = await AutoPrepareAsync("lsprepare", string.Empty);

        Assert.Equal((PostgresLicenseDatabase.MaxAutoPrepare, PostgresLicenseDatabase.AutoPrepareMinUsages), settings);
    }

    [Fact]
    public async Task AMaxAutoPrepareInTheConnectionStringIsKept()
    {
        var settings = await AutoPrepareAsync("lsprepareset", ";Max Auto Prepare=10;Auto Prepare Min Usages=7");

        Assert.Equal((10, 7), settings);
    }

    [Fact]
    public async Task PreparedStatementsArePlannedForEachCallsValues()
    {
        await using var host = await StartAsync("lsplans", string.Empty);
        await using var connection = await host.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SHOW plan_cache_mode", connection);

        Assert.Equal("force_custom_plan", await command.ExecuteScalarAsync());
    }

    private async Task<(int MaxAutoPrepare, int MinUsages)> AutoPrepareAsync(string name, string extra)
    {
        await using var host = await StartAsync(name, extra);
        var used = new NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString);
        return (used.MaxAutoPrepare, used.AutoPrepareMinUsages);
    }

    /// <summary>A license server on a new database of the run's PostgreSQL server, <paramref name="extra"/> appended to its connection string; started (it answered a call).</summary>
    private async Task<LicenseServerHost> StartAsync(string name, string extra)
    {
        var host = new LicenseServerHost(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["ConnectionStrings:licensing"] = await database.CreateDatabaseAsync(name) + extra,
        });
        try
        {
            await host.Client.GetServerInfoAsync(new GetServerInfoRequest());
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }
}
