using Google.Protobuf;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.ServiceDefaults.Storage;
using Core = RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Tests.Stores;

/// <summary>
/// The bulk listing (StreamListingAsync, read by ordinal without a record per CAL) on every engine, written as
/// ListIssuedLicensePages' pages (IssuedLicensePageEncoder): byte for byte the IssuedLicensePage messages the generated code
/// serialises from StreamLicensesAsync's CALs, in the same order, under every filter and cursor, a page per batch.
/// </summary>
public abstract class LicenseListingContractTests
{
    private static readonly Guid PackA = Guid.NewGuid();

    /// <summary>A store over a database of the test's own, not migrated yet.</summary>
    protected abstract ILicenseStore NewStore();

    public static TheoryData<string> Filters() => new(Queries(DateTimeOffset.UnixEpoch, Guid.Empty).Keys);

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task TheBulkListingWritesTheStreamsCalsAsTheGeneratedPagesByteForByte(string filter)
    {
        using var store = (LicenseStore)NewStore();
        var now = new DateTimeOffset(2026, 12, 1, 4, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        await store.MigrateAsync(() => new ServerRecord(Guid.NewGuid(), [1], now, Core.ActivationState.Initial), CancellationToken.None);
        var ids = await SeedAsync(store, now);
        var query = Queries(now, ids[1_111])[filter];

        var expected = (await store.StreamLicensesAsync(query, CancellationToken.None).Select(l => LicenseServerMapping.ToContract(l, now)).ToListAsync())
            .Chunk(LicenseReads.StreamBatchSize).Select(page => new IssuedLicensePage { Licenses = { page } }).ToList();
        using var encoder = new IssuedLicensePageEncoder(now, LicenseReads.StreamBatchSize);
        var pages = new List<byte[]>();
        await foreach (var batch in store.StreamListingAsync(query, encoder, CancellationToken.None))
        {
            Assert.Single(batch);
            pages.Add(batch[0].ToArray()); // the batch's buffer is reused for the next one
        }

        Assert.NotEmpty(expected);
        Assert.Equal(expected, pages.Select(IssuedLicensePage.Parser.ParseFrom)); // a readable failure first
        Assert.Equal(expected.Select(page => page.ToByteArray()), pages);
    }

    private static Dictionary<string, LicenseQuery> Queries(DateTimeOffset now, Guid cursor) => new()
    {
        ["no filter"] = new(now),
        ["expired included"] = new(now, IncludeExpired: true),
        ["expired only"] = new(now, Status: Core.CalStatus.Expired),
        ["revoked, expired included"] = new(now, Status: Core.CalStatus.Revoked, IncludeExpired: true),
        ["per user of one domain"] = new(now, Type: Core.CalType.PerUser, UserDomain: "contoso"),
        ["per device 2019"] = new(now, Type: Core.CalType.PerDevice, Version: Core.ProductVersion.WindowsServer2019),
        ["one subject"] = new(now, Subject: "hw-1001"),
        ["one key pack"] = new(now, KeyPackId: PackA),
        ["after a cursor"] = new(now, IncludeExpired: true, AfterLicenseId: cursor),
    };

    /// <summary>
    /// 2,345 CALs (batches of 1,000 and a shorter last) with every optional column both set and absent: key packs,
    /// assignment and revocation times, computer and user names (some beyond ASCII), session hosts; a tenth expired.
    /// Their ids, in order.
    /// </summary>
    private static async Task<List<Guid>> SeedAsync(ILicenseStore store, DateTimeOffset now)
    {
        var ids = new List<Guid>();
        await store.WriteAsync(session =>
        {
            for (var i = 0; i < 2_345; i++)
            {
                var user = i % 3 == 0;
                var domain = i % 6 == 0 ? "CONTOSO" : "FABRIKAM";
                var status = i % 7 == 0 ? Core.CalStatus.Revoked : user ? (i % 2 == 0 ? Core.CalStatus.Active : Core.CalStatus.OverUsed)
                    : i % 2 == 0 ? Core.CalStatus.Permanent : Core.CalStatus.Temporary;
                var pack = status is Core.CalStatus.Permanent or Core.CalStatus.Active or Core.CalStatus.Revoked ? (i % 4 == 0 ? PackA : Guid.NewGuid()) : (Guid?)null;
                var cal = new Core.IssuedCal(Guid.CreateVersion7(now.AddMilliseconds(i)), user ? Core.CalType.PerUser : Core.CalType.PerDevice,
                    i % 4 == 0 ? Core.ProductVersion.WindowsServer2019 : Core.ProductVersion.WindowsServer2022,
                    user ? $"{domain}\\user-{i}" : $"hw-{i}", status, pack, now.AddDays(-5).AddTicks(i * 7919),
                    i % 10 == 0 ? now.AddDays(-1) : now.AddDays(30).AddTicks(i), i % 5 == 0,
                    user && i % 2 == 0 ? now.AddDays(-4) : null, status == Core.CalStatus.Revoked ? now.AddHours(-i) : null);
                ids.Add(cal.LicenseId);
                session.InsertLicense(user
                    ? new LicenseRecord(cal, null, i % 9 == 0 ? null : domain, i % 9 == 0 ? null : i % 13 == 0 ? $"jürgen-{i}" : $"user-{i}", i % 11 == 0 ? null : "host-1")
                    : new LicenseRecord(cal, i % 8 == 0 ? null : i % 13 == 0 ? $"PC-Zürich-東京-{i}" : $"PC-{i}", null, null, i % 11 == 0 ? null : "host-2"));
            }

            return 0;
        }, CancellationToken.None);
        return ids.Order().ToList();
    }
}

/// <summary>The bulk listing on SQLite.</summary>
public sealed class SqliteLicenseListingContractTests : LicenseListingContractTests, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rds-ls-listing-").FullName;

    protected override ILicenseStore NewStore() => new SqliteLicenseStore(Options.Create(new StorageOptions { DataDirectory = _directory }),
        new HostingEnvironment { ContentRootPath = _directory }, TimeProvider.System);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

/// <summary>The bulk listing on PostgreSQL, a database per test.</summary>
public sealed class PostgresLicenseListingContractTests(PostgresDatabaseFixture database)
    : LicenseListingContractTests, IClassFixture<PostgresDatabaseFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero);

    protected override ILicenseStore NewStore() => new PostgresLicenseStore(new PostgresDatabase(
        NpgsqlDataSource.Create(database.CreateDatabaseAsync("listing").GetAwaiter().GetResult()), PostgresLicenseSchema.Schema,
        NullLogger<PostgresDatabase>.Instance));

    /// <summary>
    /// A report's listing (Per Device CALs of one version) over 200,000 CALs just bulk-copied with 30 days interleaved in
    /// every batch (ids in a different order from the heap's, as after a renewal cycle): planned as one scan and one sort
    /// of the whole listing, not a walk of the id index that fetches every row from another page; a selective listing (one
    /// subject) still reads only its rows, through an index.
    /// </summary>
    [Fact]
    public async Task AWholeListingIsOneScanAndOneSortAndASelectiveOneStillUsesAnIndex()
    {
        var (postgres, store) = await MigratedAsync("listplan");
        using var _ = store;
        await store.CopyLicensesAsync(InterleavedCals(200_000), CancellationToken.None);
        await using var connection = await postgres.OpenAsync(CancellationToken.None);
        var reads = new LicenseReads(new PostgresLicenseDatabase(postgres).Reads);

        var report = await ExplainListingAsync(connection, reads.ListingOf(new LicenseQuery(Now, Type: Core.CalType.PerDevice,
            Version: Core.ProductVersion.WindowsServer2022), LicenseRows.ListingColumns));
        var subject = await ExplainListingAsync(connection, reads.ListingOf(new LicenseQuery(Now, Subject: "hw-1234"), LicenseRows.ListingColumns));

        Assert.Contains("Seq Scan on licenses", report);
        Assert.Contains("Sort", report);
        Assert.DoesNotContain("Index Scan", report);
        Assert.Contains("ix_licenses_subject", subject);
        Assert.DoesNotContain("Seq Scan", subject);
    }

    /// <summary>
    /// A listing its reader leaves after the first batch (a console's first page, a report stopped) cancels its statement:
    /// leaving raises nothing, the connection goes back to the pool with nothing running on it, and the next listing reads
    /// every CAL.
    /// </summary>
    [Fact]
    public async Task AListingLeftAfterItsFirstBatchStopsItsStatementQuietly()
    {
        var (postgres, store) = await MigratedAsync("listleft");
        using var _ = store;
        await store.CopyLicensesAsync(InterleavedCals(50_000), CancellationToken.None);
        var query = new LicenseQuery(Now);

        var first = new CountingBuilder();
        await foreach (var batch in store.StreamListingAsync(query, first, CancellationToken.None))
        {
            break;
        }

        await using var connection = await postgres.OpenAsync(CancellationToken.None);
        await using var running = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'", connection);
        Assert.Equal(0L, (long)(await running.ExecuteScalarAsync())!);
        Assert.Equal(LicenseReads.StreamBatchSize, first.Rows);
        var all = new CountingBuilder();
        await foreach (var batch in store.StreamListingAsync(query, all, CancellationToken.None))
        {
        }

        Assert.Equal(50_000, all.Rows);
    }

    /// <summary>Per Device CALs whose ids interleave 30 days in every run of 30 (the heap's order is not the ids').</summary>
    private static IEnumerable<LicenseRecord> InterleavedCals(int count)
    {
        var pack = Guid.NewGuid();
        return Enumerable.Range(0, count).Select(i => new LicenseRecord(
            new Core.IssuedCal(Guid.CreateVersion7(Now.AddMinutes(-(i % 30) * 1440 - i % 1440)), Core.CalType.PerDevice,
                Core.ProductVersion.WindowsServer2022, $"hw-{i}", Core.CalStatus.Permanent, pack, Now.AddDays(-(i % 30)), Now.AddDays(30 + i % 30)),
            $"PC-{i}", null, null, "host-1"));
    }

    /// <summary>Counts the rows a listing hands it.</summary>
    private sealed class CountingBuilder : IListingBatchBuilder<int>
    {
        public int Rows { get; private set; }

        public void Add<TColumns>(in ListingRow<TColumns> row) where TColumns : struct, IListingColumns => Rows++;

        public int Complete() => Rows;
    }

    /// <summary>
    /// A write group's read of its subjects' CALs probes the subject index once per subject even on statistics gathered
    /// while the CAL type was rare (a young farm: its first CALs were Per User, the Per Device ones all came after the
    /// last analysis). Before, the planner took ix_licenses_version_status and filtered every Per Device CAL for each group.
    /// </summary>
    [Fact]
    public async Task AGroupReadsItsSubjectsThroughTheSubjectIndexOnStatisticsFromWhenTheTypeWasRare()
    {
        var (postgres, store) = await MigratedAsync("scopeplan");
        using var _ = store;
        // The bulk copy analyses the table: 200 Per User CALs, no Per Device CAL yet.
        await store.CopyLicensesAsync(Enumerable.Range(0, 200).Select(i => new LicenseRecord(
            new Core.IssuedCal(Guid.CreateVersion7(Now.AddMinutes(-i)), Core.CalType.PerUser,
                Core.ProductVersion.WindowsServer2022, $"early-{i}", Core.CalStatus.Temporary, null, Now.AddDays(-1), Now.AddDays(89)),
            null, null, null, "host-1")), CancellationToken.None);
        await using var connection = await postgres.OpenAsync(CancellationToken.None);
        await using (var grow = new NpgsqlCommand("""
            INSERT INTO licenses (license_id, cal_type, version, subject, status, issued_at, expires_at, validated)
            SELECT gen_random_uuid()::text, 1, 7, 'hw-' || g, 3, 0, 1, 0 FROM generate_series(1, 5000) g
            """, connection))
        {
            await grow.ExecuteNonQueryAsync();
        }

        var group = await ExplainAsync(connection, PostgresGroupSession.ScopedLicenses, new Dictionary<string, object?>
        {
            ["subjects"] = Enumerable.Range(0, 25).Select(i => $"hw-new-{i}").ToArray(),
            ["type"] = (int)Core.CalType.PerDevice,
        });
        var one = await ExplainAsync(connection, LicenseWriteSession.SubjectLicensesQuery,
            new Dictionary<string, object?> { ["subject"] = "hw-new-0", ["type"] = (int)Core.CalType.PerDevice });

        Assert.All([group, one], plan =>
        {
            Assert.Contains("ix_licenses_subject", plan);
            Assert.DoesNotContain("ix_licenses_version_status", plan);
            Assert.DoesNotContain("Seq Scan on licenses", plan);
        });
    }

    /// <summary>A license store on a new database of its own, its schema applied.</summary>
    private async Task<(PostgresDatabase Database, PostgresLicenseStore Store)> MigratedAsync(string name)
    {
        var postgres = new PostgresDatabase(NpgsqlDataSource.Create(await database.CreateDatabaseAsync(name)), PostgresLicenseSchema.Schema,
            NullLogger<PostgresDatabase>.Instance);
        var store = new PostgresLicenseStore(postgres);
        await store.MigrateAsync(() => new ServerRecord(Guid.NewGuid(), [1], Now, Core.ActivationState.Initial), CancellationToken.None);
        return (postgres, store);
    }

    /// <summary>The plan PostgreSQL makes for the whole listing, in a transaction with the listing's own planner settings.</summary>
    private static async Task<string> ExplainListingAsync(NpgsqlConnection connection, Listing listing)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var settings = new NpgsqlCommand(PostgresListing.PlanSettings, connection, transaction))
        {
            await settings.ExecuteNonQueryAsync();
        }

        return await ExplainAsync(connection, listing.Ordered, listing.Parameters);
    }

    /// <summary>The plan PostgreSQL makes for <paramref name="sql"/> with these values (planned for them, as a custom plan).</summary>
    private static async Task<string> ExplainAsync(NpgsqlConnection connection, string sql, IReadOnlyDictionary<string, object?> parameters)
    {
        await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection);
        foreach (var (name, value) in parameters)
        {
            explain.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(0));
        }

        return string.Join("\n", plan);
    }
}
