using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Storage;
using Core = RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>
/// Occupied seats come from per-day sums kept by triggers (<c>pack_seat_days</c>) plus today's seats; these tests hold
/// them equal to a plain count of every license's <c>seat_held_until</c>, through inserts, updates that move a seat to
/// another day or pack, seats given back, rolled-back writes, and a database migrated from before the per-day sums.
/// </summary>
public sealed class SeatCountTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2027, 3, 1, 9, 30, 0, TimeSpan.Zero);

    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private ILicenseStore Store => _host.Services.GetRequiredService<ILicenseStore>();

    [Fact]
    public async Task OccupiedSeatsEqualAPlainCountThroughRandomInsertsUpdatesAndRollbacks()
    {
        var random = new Random(20261128);
        var packs = await InstallPacksAsync(3);
        var licenses = new List<Core.IssuedCal>();
        var checkedTimes = 0;
        for (var step = 0; step < 400; step++)
        {
            var now = Start.AddHours(random.Next(0, 24 * 120)).AddTicks(random.Next());
            var roll = random.Next(10);
            if (roll < 5 || licenses.Count == 0)
            {
                var cal = RandomCal(random, packs, Start.AddHours(random.Next(0, 24 * 120)));
                await InsertAsync(cal);
                licenses.Add(cal);
            }
            else if (roll < 8)
            {
                var index = random.Next(licenses.Count);
                var moved = Move(random, licenses[index], packs);
                await Store.WriteAsync(session =>
                {
                    session.UpdateLicense(Record(moved));
                    return 0;
                }, CancellationToken.None);
                licenses[index] = moved;
            }
            else
            {
                // Rolled back: neither the insert nor the update may leave a seat behind.
                var index = random.Next(licenses.Count);
                var attempt = Store.WriteAsync<int>(session =>
                {
                    session.InsertLicense(Record(RandomCal(random, packs, now)));
                    session.UpdateLicense(Record(Move(random, licenses[index], packs)));
                    throw new InvalidOperationException("rolled back on purpose");
                }, CancellationToken.None);
                await Assert.ThrowsAsync<InvalidOperationException>(() => attempt);
            }

            if (step % 10 == 0)
            {
                await AssertCountsAsync(now, packs, licenses);
                await AssertCountsAsync(new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero), packs, licenses);
                checkedTimes += 2;
            }
        }

        Assert.Equal(80, checkedTimes);
        Assert.Contains(licenses, c => c.SeatHeldUntil is null);
        Assert.Contains(licenses, c => c.Status == Core.CalStatus.Revoked);
    }

    [Fact]
    public async Task ADatabaseFromBeforeThePerDaySumsIsCountedRightAfterTheUpgrade()
    {
        var random = new Random(7);
        var packs = await InstallPacksAsync(2);
        var licenses = Enumerable.Range(0, 60).Select(_ => RandomCal(random, packs, Start.AddHours(random.Next(0, 24 * 90)))).ToList();
        await InsertAsync([.. licenses]);

        // Back to schema version 1 with the same licenses, as a license server of the previous release left it.
        var database = Path.Combine(_host.DataDirectory, SqliteLicenseStore.FileName);
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync("""
                DROP TRIGGER tr_licenses_seat_insert; DROP TRIGGER tr_licenses_seat_delete; DROP TRIGGER tr_licenses_seat_update;
                DROP TRIGGER tr_key_packs_seat_days; DROP TABLE pack_seat_days; DROP TABLE webhook_deliveries; DROP TABLE webhook_subscriptions; DROP TABLE alert_state;
                DELETE FROM schema_version WHERE version >= 2;
                """);
        }

        await _host.RestartAsync();

        for (var day = 0; day < 100; day += 7)
        {
            await AssertCountsAsync(Start.AddDays(day).AddHours(5), packs, licenses);
        }
    }

    [Fact]
    public async Task ADatabaseOfTheRowidLayoutKeepsEveryCalAndItsSeatsWhenRekeyedByLicenseId()
    {
        var random = new Random(11);
        var packs = await InstallPacksAsync(2);
        var licenses = Enumerable.Range(0, 80).Select(_ => RandomCal(random, packs, Start.AddHours(random.Next(0, 24 * 90)))).ToList();
        await InsertAsync([.. licenses]);

        // Back to schema version 4: a rowid table with a surrogate id and its rows in another order than their license
        // ids (here by subject), as a license server of the previous release left it.
        var database = Path.Combine(_host.DataDirectory, SqliteLicenseStore.FileName);
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync();
            const string columns = "license_id, cal_type, version, subject, status, key_pack_id, issued_at, expires_at, validated, assigned_at, " +
                "revoked_at, seat_held_until, seat_reclaimed, computer_name, user_domain, user_name, session_host_id";
            await connection.ExecuteAsync($"""
                CREATE TABLE licenses_v4 (
                    id INTEGER PRIMARY KEY, license_id TEXT NOT NULL UNIQUE, cal_type INTEGER NOT NULL, version INTEGER NOT NULL,
                    subject TEXT NOT NULL, status INTEGER NOT NULL, key_pack_id TEXT, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
                    validated INTEGER NOT NULL, assigned_at INTEGER, revoked_at INTEGER, seat_held_until INTEGER,
                    seat_reclaimed INTEGER NOT NULL DEFAULT 0, computer_name TEXT, user_domain TEXT, user_name TEXT, session_host_id TEXT);
                INSERT INTO licenses_v4 ({columns}) SELECT {columns} FROM licenses ORDER BY subject;
                DROP TABLE licenses;
                ALTER TABLE licenses_v4 RENAME TO licenses;
                CREATE INDEX ix_licenses_subject ON licenses (subject, cal_type);
                CREATE INDEX ix_licenses_seats ON licenses (key_pack_id, seat_held_until) WHERE key_pack_id IS NOT NULL;
                DELETE FROM schema_version WHERE version >= 5;
                """);
            Assert.Contains("id", await connection.QueryAsync<string>("SELECT name FROM pragma_table_info('licenses')"));
        }

        await _host.RestartAsync();

        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync();
            Assert.DoesNotContain("id", await connection.QueryAsync<string>("SELECT name FROM pragma_table_info('licenses')"));
            Assert.Equal("license_id", await connection.ExecuteScalarAsync<string>("SELECT name FROM pragma_table_info('licenses') WHERE pk = 1"));
            // WITHOUT ROWID: the rows are the key's B-tree, so there is no rowid to select.
            await Assert.ThrowsAsync<SqliteException>(() => connection.ExecuteScalarAsync<long>("SELECT rowid FROM licenses LIMIT 1"));
            Assert.Equal(5, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'licenses' AND name LIKE 'ix_%'"));
            Assert.Equal(3, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'licenses'"));
        }

        var listed = new List<LicenseRecord>();
        await foreach (var record in Store.StreamLicensesAsync(new LicenseQuery(Start, IncludeExpired: true), CancellationToken.None))
        {
            listed.Add(record);
        }

        Assert.Equal(licenses.Select(c => c.LicenseId).Order(GuidText.Instance), listed.Select(r => r.Cal.LicenseId));
        Assert.Equal(licenses.OrderBy(c => c.LicenseId, GuidText.Instance), listed.Select(r => r.Cal).OrderBy(c => c.LicenseId, GuidText.Instance));
        for (var day = 0; day < 100; day += 9)
        {
            await AssertCountsAsync(Start.AddDays(day).AddHours(5), packs, licenses);
        }

        // Writes go on after the rebuild: the seat triggers came back with the table.
        var added = RandomCal(random, packs, Start) with { Status = Core.CalStatus.Permanent, KeyPackId = packs[0], Type = Core.CalType.PerDevice };
        await InsertAsync(added);
        licenses.Add(added);
        await AssertCountsAsync(Start.AddHours(1), packs, licenses);
    }

    /// <summary>License ids in the stores' order: their text, compared bytewise.</summary>
    private sealed class GuidText : IComparer<Guid>
    {
        public static readonly GuidText Instance = new();

        public int Compare(Guid x, Guid y) => string.CompareOrdinal(x.ToString(), y.ToString());
    }

    private async Task AssertCountsAsync(DateTimeOffset now, IReadOnlyList<Guid> packs, IReadOnlyList<Core.IssuedCal> licenses)
    {
        var listed = (await Store.ListKeyPacksAsync(now, CancellationToken.None)).ToDictionary(p => p.Id, p => p.Issued);
        var inSession = await Store.WriteAsync(session => packs.ToDictionary(id => id, id => session.FindKeyPack(id, now)!.Issued), CancellationToken.None);
        foreach (var pack in packs)
        {
            var expected = licenses.Count(c => c.KeyPackId == pack && c.HoldsSeatAt(now));
            Assert.Equal(expected, listed[pack]);
            Assert.Equal(expected, inSession[pack]);
        }
    }

    /// <summary>The CALs inserted in one write transaction.</summary>
    private Task InsertAsync(params Core.IssuedCal[] cals) => Store.WriteAsync(session =>
    {
        foreach (var cal in cals)
        {
            session.InsertLicense(Record(cal));
        }

        return 0;
    }, CancellationToken.None);

    private async Task<List<Guid>> InstallPacksAsync(int count)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var reply = await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 1000));
            ids.Add(Guid.Parse(reply.KeyPack.KeyPackId));
        }

        return ids;
    }

    /// <summary>Permanent (seat until expiry), Active Per User (seat until the later of expiry and assignment + 90 days), Temporary (no seat).</summary>
    private static Core.IssuedCal RandomCal(Random random, IReadOnlyList<Guid> packs, DateTimeOffset issued) => random.Next(3) switch
    {
        0 => new Core.IssuedCal(Guid.NewGuid(), Core.CalType.PerDevice, Core.ProductVersion.WindowsServer2022, $"hw-{Guid.NewGuid():N}",
            Core.CalStatus.Permanent, packs[random.Next(packs.Count)], issued, issued.AddDays(random.Next(52, 90)).AddMinutes(random.Next(1440))),
        1 => new Core.IssuedCal(Guid.NewGuid(), Core.CalType.PerUser, Core.ProductVersion.WindowsServer2022, $"CORP\\u{Guid.NewGuid():N}",
            Core.CalStatus.Active, packs[random.Next(packs.Count)], issued, issued.AddDays(random.Next(30, 120)), AssignedAt: issued),
        _ => new Core.IssuedCal(Guid.NewGuid(), Core.CalType.PerDevice, Core.ProductVersion.WindowsServer2022, $"hw-{Guid.NewGuid():N}",
            Core.CalStatus.Temporary, null, issued, issued.AddDays(90)),
    };

    /// <summary>Renewed to another day, moved to another pack, revoked (seat free at once), or its seat given up.</summary>
    private static Core.IssuedCal Move(Random random, Core.IssuedCal cal, IReadOnlyList<Guid> packs) => random.Next(4) switch
    {
        0 => cal with { ExpiresAt = cal.ExpiresAt.AddDays(random.Next(1, 60)).AddMinutes(random.Next(1440)) },
        1 => cal with { KeyPackId = packs[random.Next(packs.Count)], Status = cal.KeyPackId is null ? Core.CalStatus.Permanent : cal.Status },
        2 when cal.KeyPackId is not null => cal with { Status = Core.CalStatus.Revoked, RevokedAt = cal.IssuedAt.AddDays(random.Next(0, 40)) },
        _ => cal with { KeyPackId = null, Status = Core.CalStatus.Temporary },
    };

    private static LicenseRecord Record(Core.IssuedCal cal) => new(cal, "PC", cal.Type == Core.CalType.PerUser ? "CORP" : null, null, "host-seats");
}
