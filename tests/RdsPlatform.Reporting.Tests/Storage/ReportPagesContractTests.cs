using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Reporting.Storage;
using RdsPlatform.ServiceDefaults.Storage;
using RdsPlatform.Testing;

namespace RdsPlatform.Reporting.Tests.Storage;

/// <summary>
/// Entries stored in pages (schema version 2) on every engine: read from any ordinal, in any page size, across page
/// boundaries set by the entry count and by the page's bytes; a generation abandoned after whole pages were committed
/// leaves nothing.
/// </summary>
public abstract class ReportPagesContractTests
{
    // Entries of 1 to 300 characters of name: pages close on their bytes (60 KiB) as well as on 1,000 entries.
    private const int Entries = 2_345;

    protected abstract IReportStore Store { get; }

    [Fact]
    public async Task EntriesAcrossManyPagesAreReadInOrderFromAnyOrdinalInAnyPageSize()
    {
        var reportId = await WriteAsync(Entries);

        Assert.Equal(Ordinals(1, Entries), (await Store.ReadEntriesAsync(reportId, 0, 0, default)).Select(e => e.Ordinal));
        foreach (var (after, limit) in new[] { (0L, 7), (998L, 5), (999L, 1), (1000L, 1000), (1001L, 3), (1500L, 1000), (2340L, 1000), (2344L, 10) })
        {
            var page = await Store.ReadEntriesAsync(reportId, after, limit, default);
            var expected = Ordinals(after + 1, (int)Math.Min(limit, Entries - after));
            Assert.Equal(expected, page.Select(e => e.Ordinal));
            Assert.Equal(expected.Select(Name), page.Select(e => e.Entry.PerDevice.ComputerName));
        }

        Assert.Empty(await Store.ReadEntriesAsync(reportId, Entries, 10, default));
    }

    [Fact]
    public async Task TheStoredPagesHoldEveryEntryOnceInOrderAsStored()
    {
        var reportId = await WriteAsync(Entries);

        var pages = await Store.StreamEntryPagesAsync(reportId, default).ToListAsync();
        var decoded = new List<StoredEntry>();
        foreach (var page in pages)
        {
            Assert.Equal(1 + decoded.Count, page.FirstOrdinal);
            var before = decoded.Count;
            ReportPages.Decode(page.Entries, page.FirstOrdinal, 0, long.MaxValue, decoded);
            Assert.Equal(page.EntryCount, decoded.Count - before);
        }

        Assert.True(pages.Count > 1);
        Assert.Equal(Ordinals(1, Entries), decoded.Select(e => e.Ordinal));
        Assert.Equal(Ordinals(1, Entries).Select(Entry), decoded.Select(e => e.Entry));
        Assert.Empty(await Store.StreamEntryPagesAsync(Guid.NewGuid().ToString(), default).ToListAsync());
    }

    [Fact]
    public async Task PagingWithTheLastOrdinalOfEachPageVisitsEveryEntryOnce()
    {
        var reportId = await WriteAsync(Entries);
        var seen = new List<long>();
        for (long after = 0; ;)
        {
            var page = await Store.ReadEntriesAsync(reportId, after, 333, default);
            if (page.Count == 0)
            {
                break;
            }

            seen.AddRange(page.Select(e => e.Ordinal));
            after = page[^1].Ordinal;
        }

        Assert.Equal(Ordinals(1, Entries), seen);
    }

    [Fact]
    public async Task AGenerationAbandonedAfterCommittedPagesLeavesNothingAndTheIdCanBeWrittenAgain()
    {
        var reportId = Guid.NewGuid().ToString();
        await using (var writer = Store.BeginReport(reportId, batchSize: 5))
        {
            for (var i = 1; i <= Entries; i++)
            {
                writer.Add(Entry(i));
            }
        }

        Assert.Null(await Store.FindReportAsync(reportId, default));
        Assert.Empty(await Store.ReadEntriesAsync(reportId, 0, 0, default));

        await WriteAsync(10, reportId);
        Assert.Equal(Ordinals(1, 10), (await Store.ReadEntriesAsync(reportId, 0, 0, default)).Select(e => e.Ordinal));
    }

    private async Task<string> WriteAsync(int entries, string? reportId = null)
    {
        reportId ??= Guid.NewGuid().ToString();
        await using var writer = Store.BeginReport(reportId, batchSize: 1500);
        for (var i = 1; i <= entries; i++)
        {
            writer.Add(Entry(i));
        }

        writer.Complete(new Report { ReportId = reportId, Kind = ReportKind.PerDevice, EntryCount = writer.Count });
        return reportId;
    }

    private static List<long> Ordinals(long first, int count) => [.. Enumerable.Range(0, Math.Max(count, 0)).Select(i => first + i)];

    private static ReportEntry Entry(long i) => new() { PerDevice = new PerDeviceEntry { HardwareId = $"HW-{i}", ComputerName = Name(i) } };

    private static string Name(long i) => $"PC-{i}-".PadRight(1 + (int)(i % 300), 'x');
}

public sealed class SqliteReportPagesContractTests : ReportPagesContractTests
{
    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("rds-report-pages-").FullName, "reporting.db");

    public SqliteReportPagesContractTests()
    {
        var store = new SqliteReportStore(_path);
        store.Initialize();
        Store = store;
    }

    protected override IReportStore Store { get; }

    [Fact]
    public async Task AReportIsStoredAsAFewPagesNotOneRowPerEntry()
    {
        var reportId = Guid.NewGuid().ToString();
        await using (var writer = Store.BeginReport(reportId, batchSize: 5000))
        {
            for (var i = 1; i <= 5000; i++)
            {
                writer.Add(new ReportEntry { PerDevice = new PerDeviceEntry { HardwareId = $"HW-{i}" } });
            }

            writer.Complete(new Report { ReportId = reportId, Kind = ReportKind.PerDevice, EntryCount = writer.Count });
        }

        await using var connection = new SqliteConnection($"Data Source={_path}");
        await connection.OpenAsync();
        Assert.Equal(5L, await ScalarAsync(connection, "SELECT count(*) FROM report_pages WHERE report_id = $id", reportId));
        Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM report_entries WHERE report_id = $id", reportId));
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, string reportId)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", reportId);
        return await command.ExecuteScalarAsync();
    }
}

public sealed class PostgresReportPagesContractTests(PostgresDatabaseFixture database)
    : ReportPagesContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override IReportStore Store { get; } = new PostgresReportStore(new PostgresDatabase(
        NpgsqlDataSource.Create(database.ConnectionString), ReportingSchema.PostgresSchema, NullLogger<PostgresDatabase>.Instance));
}
