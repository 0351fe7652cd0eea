using Microsoft.Data.Sqlite;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Storage;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>
/// CAL statuses reach SQL as values the store binds, yet the queries that run on every write or pool re-read must still
/// read their partial indexes (ix_licenses_reclaim, ix_licenses_overused) instead of scanning every license.
/// </summary>
public sealed class StatusQueryPlanTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task TheReclaimAndOverUsedQueriesReadTheirPartialIndexes()
    {
        await _host.Client.GetServerInfoAsync(new GetServerInfoRequest());
        var now = DateTimeOffset.UtcNow;

        var reclaim = await PlanAsync(LicenseWriteSession.ReclaimQuery, LicenseWriteSession.ReclaimParameters(now, 500));
        var overUsed = await PlanAsync(LicenseReads.OverUsedQuery,
            new Dictionary<string, object?> { ["overUsed"] = (int)Licensing.CalStatus.OverUsed, ["now"] = now.UtcTicks });

        Assert.Contains("USING INDEX ix_licenses_reclaim", reclaim);
        Assert.Contains("USING INDEX ix_licenses_overused", overUsed);
    }

    [Fact]
    public async Task ASubjectsCalsAreReadThroughTheSubjectIndex()
    {
        await _host.Client.GetServerInfoAsync(new GetServerInfoRequest());

        var plan = await PlanAsync(LicenseWriteSession.SubjectLicensesQuery,
            new Dictionary<string, object?> { ["subject"] = "hw-1", ["type"] = (int)Licensing.CalType.PerDevice });

        Assert.Contains("USING INDEX ix_licenses_subject (subject=?)", plan);
    }

    private async Task<string> PlanAsync(string sql, IReadOnlyDictionary<string, object?> parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_host.DataDirectory, SqliteLicenseStore.FileName)};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue("@" + name, value);
        }

        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }

        return string.Join(" | ", plan);
    }
}
