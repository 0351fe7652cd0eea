using System.Data.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Reporting.Storage;
using RdsPlatform.ServiceDefaults.Storage;
using RdsPlatform.Testing;

namespace RdsPlatform.Reporting.Tests.Storage;

/// <summary>
/// What reporting's snapshot store promises on every engine: a report exists only once completed, entries page by
/// keyset in generation order, listings are newest first by kind, delete removes everything, an abandoned generation
/// leaves nothing behind, and generations running at once keep their own entries. Each engine runs the same tests.
/// </summary>
public abstract class ReportStoreContractTests
{
    protected abstract IReportStore Store { get; }

    [Fact]
    public async Task ACompletedReportIsFoundAndItsEntriesPageByKeysetInGenerationOrder()
    {
        var report = await WriteAsync(ReportKind.PerDevice, entries: 25, batchSize: 7);

        var found = await Store.FindReportAsync(report.ReportId, default);
        var pages = new List<IReadOnlyList<StoredEntry>>();
        for (long after = 0; ;)
        {
            var page = await Store.ReadEntriesAsync(report.ReportId, after, 10, default);
            if (page.Count == 0)
            {
                break;
            }

            pages.Add(page);
            after = page[^1].Ordinal;
        }

        Assert.Equal(report, found);
        Assert.Equal([10, 10, 5], pages.Select(p => p.Count));
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), pages.SelectMany(p => p).Select(e => e.Ordinal));
        Assert.Equal(Enumerable.Range(1, 25).Select(i => $"HW-{i}"), pages.SelectMany(p => p).Select(e => e.Entry.PerDevice.HardwareId));
        Assert.Equal(25, await CountAsync(Store.StreamEntriesAsync(report.ReportId, 0, 0, default)));
    }

    [Fact]
    public async Task AGenerationAbandonedHalfWayLeavesNothingAndTheIdCanBeWrittenAgain()
    {
        var reportId = Guid.NewGuid().ToString();
        await using (var writer = Store.BeginReport(reportId, batchSize: 5))
        {
            for (var i = 1; i <= 12; i++)
            {
                writer.Add(Entry(i));
            }
        }

        Assert.Null(await Store.FindReportAsync(reportId, default));
        Assert.Equal(0, await CountAsync(Store.StreamEntriesAsync(reportId, 0, 0, default)));

        var report = await WriteAsync(ReportKind.PerDevice, entries: 3, batchSize: 5, reportId);
        Assert.Equal(3, await CountAsync(Store.StreamEntriesAsync(report.ReportId, 0, 0, default)));
    }

    [Fact]
    public async Task AGenerationAbandonedAfterSeveralCommittedBatchesLeavesNothing()
    {
        // More rows than one multi-row insert carries, so whole statements committed before the generation stopped.
        var reportId = Guid.NewGuid().ToString();
        await using (var writer = Store.BeginReport(reportId, batchSize: 5))
        {
            for (var i = 1; i <= 200; i++)
            {
                writer.Add(Entry(i));
            }
        }

        Assert.Null(await Store.FindReportAsync(reportId, default));
        Assert.Equal(0, await CountAsync(Store.StreamEntriesAsync(reportId, 0, 0, default)));
    }

    [Fact]
    public async Task ReportsAreListedNewestFirstByKindWithKeysetPaging()
    {
        var written = new List<Report>();
        foreach (var kind in new[] { ReportKind.PerDevice, ReportKind.Summary, ReportKind.PerDevice, ReportKind.Summary, ReportKind.PerDevice })
        {
            written.Add(await WriteAsync(kind, entries: 1, batchSize: 10));
        }

        var mine = written.Select(r => r.ReportId).ToHashSet();
        var all = (await Store.ListReportsAsync(ReportKind.Unspecified, long.MaxValue, 1000, default)).Where(r => mine.Contains(r.Report.ReportId)).ToList();
        var devices = (await Store.ListReportsAsync(ReportKind.PerDevice, long.MaxValue, 1000, default)).Where(r => mine.Contains(r.Report.ReportId)).ToList();
        var afterNewest = await Store.ListReportsAsync(ReportKind.PerDevice, devices[0].Sequence, 1, default);

        Assert.Equal(written.AsEnumerable().Reverse(), all.Select(r => r.Report));
        Assert.Equal([written[4], written[2], written[0]], devices.Select(r => r.Report));
        Assert.Equal(written[2], Assert.Single(afterNewest).Report);
    }

    [Fact]
    public async Task DeleteRemovesTheReportAndItsEntriesOnce()
    {
        var kept = await WriteAsync(ReportKind.Summary, entries: 4, batchSize: 2);
        var deleted = await WriteAsync(ReportKind.Summary, entries: 4, batchSize: 2);

        Assert.True(await Store.DeleteReportAsync(deleted.ReportId, default));
        Assert.False(await Store.DeleteReportAsync(deleted.ReportId, default));

        Assert.Null(await Store.FindReportAsync(deleted.ReportId, default));
        Assert.Equal(0, await CountAsync(Store.StreamEntriesAsync(deleted.ReportId, 0, 0, default)));
        Assert.Equal(4, await CountAsync(Store.StreamEntriesAsync(kept.ReportId, 0, 0, default)));
    }

    [Fact]
    public async Task GenerationsRunningAtOnceEachKeepExactlyTheirOwnEntries()
    {
        var reports = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => WriteAsync(ReportKind.PerDevice, entries: 600, batchSize: 50))));

        foreach (var report in reports)
        {
            var entries = await Store.ReadEntriesAsync(report.ReportId, 0, 0, default);
            Assert.Equal(Enumerable.Range(1, 600).Select(i => (long)i), entries.Select(e => e.Ordinal));
            Assert.Equal(600, report.EntryCount);
        }
    }

    [Fact]
    public async Task AReportOfManyPagesIsStoredWholeAndInOrderAcrossCommittedBatches()
    {
        // Over five full pages (ReportPages.MaxEntriesPerPage each) and a shorter last, in batches of more than a page.
        var entries = ReportPages.MaxEntriesPerPage * 5 + 321;
        var report = await WriteAsync(ReportKind.PerDevice, entries, batchSize: 1200);

        var stored = await Store.ReadEntriesAsync(report.ReportId, 0, 0, default);
        var pages = new List<ReportPage>();
        await foreach (var page in Store.StreamEntryPagesAsync(report.ReportId, default))
        {
            pages.Add(page);
        }

        Assert.Equal(Enumerable.Range(1, entries).Select(i => (long)i), stored.Select(e => e.Ordinal));
        Assert.Equal(Enumerable.Range(1, entries).Select(i => $"HW-{i}"), stored.Select(e => e.Entry.PerDevice.HardwareId));
        Assert.Equal(6, pages.Count);
        Assert.Equal(pages.Select(p => p.FirstOrdinal).Order(), pages.Select(p => p.FirstOrdinal));
    }

    [Fact]
    public async Task AGenerationAbandonedAfterFullPagesWereCommittedLeavesNothing()
    {
        var reportId = Guid.NewGuid().ToString();
        await using (var writer = Store.BeginReport(reportId, batchSize: 1000))
        {
            for (var i = 1; i <= ReportPages.MaxEntriesPerPage * 4 + 10; i++)
            {
                writer.Add(Entry(i));
            }
        }

        Assert.Null(await Store.FindReportAsync(reportId, default));
        Assert.Equal(0, await CountAsync(Store.StreamEntriesAsync(reportId, 0, 0, default)));
    }

    [Fact]
    public async Task AStoreFailureFailsTheGenerationAndChangesNothing()
    {
        // A second generation under an existing report's id: its first page collides with the stored one (unique report
        // id and first ordinal), refused by the page's insert (SQLite) or the COPY (PostgreSQL).
        var entries = ReportPages.MaxEntriesPerPage * 3 + 5;
        var existing = await WriteAsync(ReportKind.PerDevice, entries, batchSize: 1000);

        await Assert.ThrowsAnyAsync<DbException>(() => WriteAsync(ReportKind.PerDevice, entries, batchSize: 1000, existing.ReportId));

        Assert.Equal(existing, await Store.FindReportAsync(existing.ReportId, default));
        var stored = await Store.ReadEntriesAsync(existing.ReportId, 0, 0, default);
        Assert.Equal(Enumerable.Range(1, entries).Select(i => (long)i), stored.Select(e => e.Ordinal));
    }

    private async Task<Report> WriteAsync(ReportKind kind, int entries, int batchSize, string? reportId = null)
    {
        reportId ??= Guid.NewGuid().ToString();
        await using var writer = Store.BeginReport(reportId, batchSize);
        for (var i = 1; i <= entries; i++)
        {
            writer.Add(Entry(i));
        }

        var report = new Report { ReportId = reportId, Kind = kind, Domain = "CONTOSO", EntryCount = writer.Count };
        writer.Complete(report);
        return report;
    }

    private static ReportEntry Entry(int i) => new() { PerDevice = new PerDeviceEntry { HardwareId = $"HW-{i}", ComputerName = $"PC-{i}" } };

    private static async Task<int> CountAsync(IAsyncEnumerable<StoredEntry> entries)
    {
        var count = 0;
        await foreach (var _ in entries)
        {
            count++;
        }

        return count;
    }
}

public sealed class SqliteReportStoreContractTests : ReportStoreContractTests
{
    public SqliteReportStoreContractTests()
    {
        var store = new SqliteReportStore(Path.Combine(Directory.CreateTempSubdirectory("rds-reports-").FullName, "reporting.db"));
        store.Initialize();
        Store = store;
    }

    protected override IReportStore Store { get; }
}

public sealed class PostgresReportStoreContractTests(PostgresDatabaseFixture database)
    : ReportStoreContractTests, IClassFixture<PostgresDatabaseFixture>
{
    // One database for the class (every test writes reports of its own ids); the data source lives as long as the run's server.
    protected override IReportStore Store { get; } = new PostgresReportStore(new PostgresDatabase(
        NpgsqlDataSource.Create(database.ConnectionString), ReportingSchema.PostgresSchema, NullLogger<PostgresDatabase>.Instance));
}
