using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.ServiceDefaults.Storage;
using Core = RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Tests.Stores;

/// <summary>
/// Writes that declare their scope (issuance) and are committed in one group: on PostgreSQL they read the group's scopes
/// once and decide from memory (<see cref="GroupSnapshot"/>), on SQLite one after another; both must decide exactly as
/// one write at a time would: each sees the seats the earlier ones took, a seat ending between two writes' clocks is free
/// for the later one only, and a failing write leaves the others committed. Each engine runs the same tests.
/// </summary>
public abstract class ScopedGroupTests : IDisposable
{
    protected static readonly DateTimeOffset Start = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    protected abstract ILicenseStore NewStore();

    /// <summary>Whether the engine runs scoped groups on their own path (and so replays a group that failed).</summary>
    protected abstract bool GroupsScopedWrites { get; }

    public virtual void Dispose() => GC.SuppressFinalize(this);

    [Fact]
    public async Task WritesOfOneGroupTakeTheLastSeatsOnceEach()
    {
        using var store = await MigratedAsync();
        var pack = await InstallAsync(store, seats: 3);

        var taken = await InOneGroupAsync(store, Enumerable.Range(0, 8).Select(i => TakeSeat($"device-{i}", Start.AddTicks(8 - i))).ToList());

        Assert.Equal(3, taken.Count(seat => seat is not null));
        Assert.All(taken.Where(seat => seat is not null), seat => Assert.Equal(pack, seat));
        Assert.Equal(3, Assert.Single(await store.ListKeyPacksAsync(Start, CancellationToken.None)).Issued);
        Assert.Equal(0, store.GroupReplays);
        // The audit trail numbers the group's events in the order its writes were decided.
        var trail = await store.StreamAuditAsync(0, 0, [], CancellationToken.None).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"device-{i}"), trail.Select(e => e.Entry.Subject).Where(s => s?.StartsWith("device-") == true));
    }

    [Fact]
    public async Task ASeatEndingBetweenTwoWritesClocksIsFreeForTheLaterOnly()
    {
        using var store = await MigratedAsync();
        var pack = await InstallAsync(store, seats: 1);
        var ends = Start.AddSeconds(5);
        await store.WriteAsync(session =>
        {
            session.InsertLicense(Permanent("held", pack, Start, ends));
            return 0;
        }, CancellationToken.None);

        var taken = await InOneGroupAsync(store,
        [
            TakeSeat("before-the-end", ends.AddTicks(-1)),
            TakeSeat("at-the-end", ends),
            TakeSeat("after-the-end", ends.AddTicks(1)),
        ]);

        Assert.Equal([null, pack, null], taken);
        Assert.Equal(1, Assert.Single(await store.ListKeyPacksAsync(ends, CancellationToken.None)).Issued);
        Assert.Equal(0, Assert.Single(await store.ListKeyPacksAsync(Start.AddDays(400), CancellationToken.None)).Issued);
    }

    [Fact]
    public async Task ASeatMovedByAnUpdateIsCountedWhereItWent()
    {
        using var store = await MigratedAsync();
        var first = await InstallAsync(store, seats: 1);
        var second = await InstallAsync(store, seats: 1);
        var moved = Permanent("moving", first, Start, Start.AddDays(30));
        await store.WriteAsync(session =>
        {
            session.InsertLicense(moved);
            return 0;
        }, CancellationToken.None);

        var taken = await InOneGroupAsync(store,
        [
            Scoped("moving", Start, session =>
            {
                var stored = Assert.Single(session.LoadSubjectLicenses(Core.CalType.PerDevice, "moving"));
                session.UpdateLicense(stored with { Cal = stored.Cal with { KeyPackId = second } });
                return second;
            }),
            TakeSeat("newcomer", Start.AddTicks(1)),
            TakeSeat("late", Start.AddTicks(2)),
        ]);

        Assert.Equal([second, first, null], taken);
        Assert.All(await store.ListKeyPacksAsync(Start, CancellationToken.None), p => Assert.Equal(1, p.Issued));
    }

    [Fact]
    public async Task AFailingWriteRollsBackAloneAndTheOthersAreCommitted()
    {
        using var store = await MigratedAsync();
        var pack = await InstallAsync(store, seats: 5);

        var writes = await InOneGroupAsync(store,
        [
            TakeSeat("kept-1", Start),
            Scoped("failing", Start.AddTicks(1), session =>
            {
                session.InsertLicense(Permanent("failing", pack, Start, Start.AddDays(30)));
                throw new InvalidOperationException("This write fails after its insert.");
            }),
            TakeSeat("kept-2", Start.AddTicks(2)),
        ], tolerateFailures: true);

        Assert.Equal([pack, null, pack], writes);
        var licenses = await store.StreamLicensesAsync(new LicenseQuery(Start), CancellationToken.None).ToListAsync();
        Assert.Equal(["kept-1", "kept-2"], licenses.Select(l => l.Cal.Subject).Order());
        Assert.Equal(2, Assert.Single(await store.ListKeyPacksAsync(Start, CancellationToken.None)).Issued);
        Assert.Equal(GroupsScopedWrites ? 1 : 0, store.GroupReplays);
    }

    [Fact]
    public async Task AChangeTheDatabaseRefusesLeavesThatWriteOutAndCommitsTheOthersOfItsGroup()
    {
        using var store = await MigratedAsync();
        var pack = await InstallAsync(store, seats: 5);
        var taken = Permanent("first-owner", pack, Start, Start.AddDays(30));

        var writes = await InOneGroupAsync(store,
        [
            Scoped("first-owner", Start, session =>
            {
                session.InsertLicense(taken);
                return pack;
            }),
            TakeSeat("kept", Start.AddTicks(1)),
            // The same license id again: only the database sees it is taken (its key), when the group's changes and its
            // COMMIT reach it; on PostgreSQL they go in one round trip, so the COMMIT must not run after the refusal.
            Scoped("second-owner", Start.AddTicks(2), session =>
            {
                session.InsertLicense(taken with { Cal = taken.Cal with { Subject = "second-owner" } });
                return pack;
            }),
        ], tolerateFailures: true);

        Assert.Equal([pack, pack, null], writes);
        var licenses = await store.StreamLicensesAsync(new LicenseQuery(Start), CancellationToken.None).ToListAsync();
        Assert.Equal(["first-owner", "kept"], licenses.Select(l => l.Cal.Subject).Order());
        Assert.Equal(2, Assert.Single(await store.ListKeyPacksAsync(Start, CancellationToken.None)).Issued);
        Assert.Equal(GroupsScopedWrites ? 1 : 0, store.GroupReplays);
    }

    [Fact]
    public async Task AGroupQueuedWhileAnotherRunsIsDecidedAfterItsCommitAndBothAreCommittedOnce()
    {
        using var store = await MigratedAsync();
        var pack = await InstallAsync(store, seats: 5);
        var next = new List<Task<Guid?>>();

        var first = await InOneGroupAsync(store,
        [
            Scoped("first-0", Start, session =>
            {
                // Queued while this group runs: the next group, decided after this one's commit.
                QueueOnce(store, next, "second", 4);
                return TakeSeat("first-0", Start).Item2(session);
            }),
            TakeSeat("first-1", Start.AddTicks(1)),
            TakeSeat("first-2", Start.AddTicks(2)),
        ]);
        var second = await Task.WhenAll(next);

        Assert.Equal([pack, pack, pack], first);
        // The second group saw the first one's seats: two left for four devices, taken in queue order.
        Assert.Equal([pack, pack, null, null], second);
        var licenses = await store.StreamLicensesAsync(new LicenseQuery(Start), CancellationToken.None).ToListAsync();
        Assert.Equal(["first-0", "first-1", "first-2", "second-0", "second-1"], licenses.Select(l => l.Cal.Subject).Order());
        Assert.Equal(5, Assert.Single(await store.ListKeyPacksAsync(Start, CancellationToken.None)).Issued);
        var trail = await store.StreamAuditAsync(0, 0, [], CancellationToken.None).ToListAsync();
        Assert.Equal(["first-0", "first-1", "first-2", "second-0", "second-1", "second-2", "second-3"],
            trail.Select(e => e.Entry.Subject).OfType<string>());
        Assert.Equal(0, store.GroupReplays);
    }

    [Fact]
    public async Task AGroupWhoseChangesAreRefusedIsReplayedAloneAndTheGroupQueuedBehindItIsCommitted()
    {
        using var store = await MigratedAsync();
        var pack = await InstallAsync(store, seats: 10);
        var taken = Permanent("first-owner", pack, Start, Start.AddDays(30));
        var next = new List<Task<Guid?>>();

        var first = await InOneGroupAsync(store,
        [
            Scoped("first-owner", Start, session =>
            {
                QueueOnce(store, next, "behind", 3);
                session.InsertLicense(taken);
                return pack;
            }),
            // Refused by the database's key only when the group's changes reach it with its COMMIT (on PostgreSQL): the
            // group is replayed alone, and the writes queued behind it are neither lost nor run twice.
            Scoped("second-owner", Start.AddTicks(1), session =>
            {
                session.InsertLicense(taken with { Cal = taken.Cal with { Subject = "second-owner" } });
                return pack;
            }),
        ], tolerateFailures: true);
        var behind = await Task.WhenAll(next);

        Assert.Equal([pack, null], first);
        Assert.Equal([pack, pack, pack], behind);
        var licenses = await store.StreamLicensesAsync(new LicenseQuery(Start), CancellationToken.None).ToListAsync();
        Assert.Equal(["behind-0", "behind-1", "behind-2", "first-owner"], licenses.Select(l => l.Cal.Subject).Order());
        Assert.Equal(4, Assert.Single(await store.ListKeyPacksAsync(Start, CancellationToken.None)).Issued);
        Assert.Equal(GroupsScopedWrites ? 1 : 0, store.GroupReplays);
    }

    protected async Task<LicenseStore> MigratedAsync()
    {
        var store = (LicenseStore)NewStore();
        await store.MigrateAsync(() => new ServerRecord(Guid.NewGuid(), [1], Start, Core.ActivationState.Initial), CancellationToken.None);
        return store;
    }

    protected static async Task<Guid> InstallAsync(ILicenseStore store, int seats)
    {
        var id = Guid.NewGuid();
        await store.WriteAsync(session =>
        {
            session.InsertKeyPack(new KeyPackRecord(id, "key-" + id, Core.KeyPackProgram.Retail, null, "ref", Core.ProductVersion.WindowsServer2022,
                Core.CalType.PerDevice, seats, 0, Start.AddTicks(-seats)));
            return 0;
        }, CancellationToken.None);
        return id;
    }

    /// <summary>Queues the writes behind one that holds the writer, so they are committed as one group, and returns their answers (null for one that failed when tolerated).</summary>
    protected static async Task<Guid?[]> InOneGroupAsync(ILicenseStore store, List<(WriteScope Scope, Func<ILicenseWriteSession, Guid?> Work)> writes,
        bool tolerateFailures = false)
    {
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = store.WriteAsync(_ =>
        {
            holding.Set();
            return release.Wait(TimeSpan.FromSeconds(30));
        }, CancellationToken.None);
        Assert.True(holding.Wait(TimeSpan.FromSeconds(30)));
        var queued = writes.ConvertAll(write => store.WriteAsync(write.Scope, write.Work, CancellationToken.None));
        release.Set();
        Assert.True(await holder);

        var answers = new Guid?[queued.Count];
        for (var i = 0; i < queued.Count; i++)
        {
            try
            {
                answers[i] = await queued[i];
            }
            catch (Exception ex) when (tolerateFailures && ex is InvalidOperationException or System.Data.Common.DbException)
            {
                answers[i] = null;
            }
        }

        return answers;
    }

    /// <summary>Queues one scoped write; its answer.</summary>
    protected static Task<Guid?> Queue(ILicenseStore store, (WriteScope Scope, Func<ILicenseWriteSession, Guid?> Work) write) =>
        store.WriteAsync(write.Scope, write.Work, CancellationToken.None);

    /// <summary>
    /// Queues <paramref name="count"/> seat takings of <paramref name="prefix"/>-0, -1, ... into <paramref name="queued"/>,
    /// from inside a write of the running group; once only, as that write runs again when its group is replayed.
    /// </summary>
    private static void QueueOnce(ILicenseStore store, List<Task<Guid?>> queued, string prefix, int count)
    {
        if (queued.Count == 0)
        {
            queued.AddRange(Enumerable.Range(0, count).Select(i => Queue(store, TakeSeat($"{prefix}-{i}", Start.AddTicks(10 + i)))));
        }
    }

    protected static (WriteScope, Func<ILicenseWriteSession, Guid?>) Scoped(string subject, DateTimeOffset now, Func<ILicenseWriteSession, Guid?> work) =>
        (new WriteScope(Core.CalType.PerDevice, subject, now), work);

    /// <summary>An issuance in miniature: the subject's CALs and the packs read in the write, a seat taken from the first pack with one free.</summary>
    protected static (WriteScope, Func<ILicenseWriteSession, Guid?>) TakeSeat(string subject, DateTimeOffset now) => Scoped(subject, now, session =>
    {
        Assert.Empty(session.LoadSubjectLicenses(Core.CalType.PerDevice, subject));
        session.Append(new AuditEntry(now, AuditEventType.IssuanceFailed, "asked", Subject: subject));
        if (session.LoadPackSnapshots(Core.CalType.PerDevice, now).FirstOrDefault(p => p.Free > 0) is not { } pack)
        {
            return null;
        }

        session.InsertLicense(Permanent(subject, pack.Id, now, now.AddDays(30)));
        Assert.True(session.FindKeyPack(pack.Id, now)!.Issued <= pack.Installed);
        return pack.Id;
    });

    protected static LicenseRecord Permanent(string subject, Guid pack, DateTimeOffset issued, DateTimeOffset expires) => new(
        new Core.IssuedCal(Guid.NewGuid(), Core.CalType.PerDevice, Core.ProductVersion.WindowsServer2022, subject, Core.CalStatus.Permanent,
            pack, issued, expires), "PC-" + subject, null, null, "host-scoped");
}

/// <summary>Scoped groups on SQLite: one write after another, each in its savepoint.</summary>
public sealed class SqliteScopedGroupTests : ScopedGroupTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rds-ls-scoped-").FullName;

    protected override bool GroupsScopedWrites => false;

    protected override ILicenseStore NewStore() => new SqliteLicenseStore(Options.Create(new StorageOptions { DataDirectory = _directory }),
        new HostingEnvironment { ContentRootPath = _directory }, TimeProvider.System);

    public override void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        base.Dispose();
    }
}

/// <summary>Scoped groups on PostgreSQL: read once for the group, decided in memory, changes sent in one batch.</summary>
public sealed class PostgresScopedGroupTests(PostgresDatabaseFixture database) : ScopedGroupTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override bool GroupsScopedWrites => true;

    protected override ILicenseStore NewStore() => new PostgresLicenseStore(new PostgresDatabase(
        NpgsqlDataSource.Create(database.CreateDatabaseAsync("scoped").GetAwaiter().GetResult()), PostgresLicenseSchema.Schema,
        NullLogger<PostgresDatabase>.Instance));
}
