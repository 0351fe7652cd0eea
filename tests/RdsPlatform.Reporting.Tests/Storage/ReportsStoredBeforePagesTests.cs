using System.Data.Common;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Reporting.Storage;
using RdsPlatform.ServiceDefaults.Storage;
using RdsPlatform.Testing;

namespace RdsPlatform.Reporting.Tests.Storage;

/// <summary>
/// The upgrade to entries in pages (schema version 2) on every engine: a report a version-1 service stored one row per
/// entry is, after the upgrade, listed beside new reports, paged with page tokens, exported as CSV and deleted with its
/// rows, through the service as a caller uses it.
/// </summary>
public abstract class ReportsStoredBeforePagesTests
{
    private const int OldEntries = 25;

    /// <summary>Starts a reporting service on a database at schema version 1 that holds <paramref name="old"/> in the old form.</summary>
    protected abstract Task<Contracts.Reporting.V1.Reporting.ReportingClient> StartOnVersionOneAsync(TestHosts hosts, Report old, IReadOnlyList<ReportEntry> entries);

    /// <summary>Rows left in the old row-per-entry table for the report.</summary>
    protected abstract Task<long> OldRowsAsync(string reportId);

    [Fact]
    public async Task AReportStoredRowPerEntryIsListedPagedExportedAndDeletedAfterTheUpgrade()
    {
        await using var hosts = TestHosts.Start();
        await hosts.LicenseServer.ConnectDeviceAsync("NEW-HW-1", "NEW-PC-1", signIn: false);
        var old = new Report
        {
            ReportId = Guid.NewGuid().ToString(), Kind = ReportKind.PerDevice, Domain = "",
            GeneratedAt = Timestamp.FromDateTimeOffset(hosts.Clock.GetUtcNow().AddDays(-1)), EntryCount = OldEntries,
        };
        var entries = Enumerable.Range(1, OldEntries)
            .Select(i => new ReportEntry { PerDevice = new PerDeviceEntry { HardwareId = $"OLD-HW-{i:D2}", ComputerName = $"OLD-PC-{i:D2}" } }).ToList();
        var reporting = await StartOnVersionOneAsync(hosts, old, entries);

        var newer = await reporting.GenerateAsync(ReportKind.PerDevice);
        var listed = await reporting.ListReportsAsync(new ListReportsRequest { Kind = ReportKind.PerDevice });
        var pages = await PagesAsync(reporting, old.ReportId, pageSize: 10);
        var csv = Encoding.UTF8.GetString(await reporting.ExportAsync(old.ReportId));
        await reporting.DeleteReportAsync(new DeleteReportRequest { ReportId = old.ReportId });

        Assert.Equal([newer.ReportId, old.ReportId], listed.Reports.Select(r => r.ReportId));
        Assert.Equal(old, listed.Reports[1]);
        Assert.Equal([10, 10, 5], pages.Select(p => p.Entries.Count));
        Assert.Equal(entries, pages.SelectMany(p => p.Entries));
        Assert.All(pages, p => Assert.Equal(OldEntries, p.Total));
        Assert.Equal("", pages[^1].NextPageToken);
        var rows = Csv.Parse(csv.TrimStart('\uFEFF'));
        Assert.Equal(entries.Select(e => e.PerDevice.HardwareId), rows.Skip(1).Select(r => r[0]));
        var gone = await Assert.ThrowsAsync<RpcException>(() => reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = old.ReportId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Equal(0, await OldRowsAsync(old.ReportId));
        Assert.Equal(newer.ReportId, Assert.Single((await reporting.ListReportsAsync(new ListReportsRequest())).Reports).ReportId);
        Assert.Equal("NEW-HW-1", Assert.Single(await reporting.AllEntriesAsync(newer.ReportId)).PerDevice.HardwareId);
    }

    /// <summary>What a version-1 service wrote for a report: its entries one row each, then its report row.</summary>
    protected static async Task WriteOldFormAsync(DbConnection connection, Report old, IReadOnlyList<ReportEntry> entries)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            await ExecuteAsync(connection, "INSERT INTO report_entries (report_id, ordinal, entry) VALUES (@id, @ordinal, @bytes)",
                ("@id", old.ReportId), ("@ordinal", (long)(i + 1)), ("@bytes", entries[i].ToByteArray()));
        }

        await ExecuteAsync(connection, "INSERT INTO reports (report_id, kind, report) VALUES (@id, @kind, @bytes)",
            ("@id", old.ReportId), ("@kind", (int)old.Kind), ("@bytes", old.ToByteArray()));
    }

    protected static async Task<long> CountOldRowsAsync(DbConnection connection, string reportId)
    {
        await using var command = ReportEntryReads.Command(connection, "SELECT count(*) FROM report_entries WHERE report_id = @id", ("@id", reportId));
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<GetReportEntriesResponse>> PagesAsync(Contracts.Reporting.V1.Reporting.ReportingClient reporting, string reportId, int pageSize)
    {
        var pages = new List<GetReportEntriesResponse>();
        var token = "";
        do
        {
            pages.Add(await reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = reportId, PageSize = pageSize, PageToken = token }));
            token = pages[^1].NextPageToken;
        }
        while (token.Length > 0);

        return pages;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = ReportEntryReads.Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class SqliteReportsStoredBeforePagesTests : ReportsStoredBeforePagesTests
{
    private string _path = "";

    protected override async Task<Contracts.Reporting.V1.Reporting.ReportingClient> StartOnVersionOneAsync(TestHosts hosts, Report old, IReadOnlyList<ReportEntry> entries)
    {
        var folder = Path.Combine(hosts.Folder, "reporting-v1");
        Directory.CreateDirectory(folder);
        _path = Path.Combine(folder, "reporting.db");
        await using (var connection = new SqliteConnection($"Data Source={_path};Pooling=False"))
        {
            await connection.OpenAsync();
            SqliteMigrations.Apply(connection, [ReportingSchema.Sqlite[0]]);
            await WriteOldFormAsync(connection, old, entries);
        }

        return hosts.StartReporting(folder);
    }

    protected override async Task<long> OldRowsAsync(string reportId)
    {
        await using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        await connection.OpenAsync();
        return await CountOldRowsAsync(connection, reportId);
    }
}

public sealed class PostgresReportsStoredBeforePagesTests(PostgresDatabaseFixture database)
    : ReportsStoredBeforePagesTests, IClassFixture<PostgresDatabaseFixture>
{
    private string _connectionString = "";

    protected override async Task<Contracts.Reporting.V1.Reporting.ReportingClient> StartOnVersionOneAsync(TestHosts hosts, Report old, IReadOnlyList<ReportEntry> entries)
    {
        _connectionString = await database.CreateDatabaseAsync("reporting-v1");
        await using (var dataSource = NpgsqlDataSource.Create(_connectionString))
        {
            var versionOne = new PostgresDatabase(dataSource, new PostgresSchema(ReportingSchema.ConnectionName, [ReportingSchema.Postgres[0]]),
                NullLogger<PostgresDatabase>.Instance);
            await using var connection = await versionOne.OpenAsync();
            await WriteOldFormAsync(connection, old, entries);
        }

        hosts.ReportingSettings["Storage:Provider"] = "Postgres";
        hosts.ReportingSettings["ConnectionStrings:reporting"] = _connectionString;
        return hosts.StartReporting(Path.Combine(hosts.Folder, "reporting-v1"));
    }

    protected override async Task<long> OldRowsAsync(string reportId)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        return await CountOldRowsAsync(connection, reportId);
    }
}
