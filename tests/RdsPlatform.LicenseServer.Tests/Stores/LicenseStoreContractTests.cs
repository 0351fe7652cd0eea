using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.LicenseServer.Storage;
using Core = RdsPlatform.Licensing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.LicenseServer.Tests.Stores;

/// <summary>
/// What the license store promises on every engine, proved with two license server replicas on one database (as a
/// scaled-out farm runs them): seats never over-allocated, one CAL per device and version, the 20% revoke cap exact, a
/// gateway alert audited once, an audit cursor that never skips an event, every acknowledged change durable, one identity
/// for every replica, and group commit. Each engine runs the same tests (subclasses in LicenseStoreEngines.cs).
/// </summary>
public abstract class LicenseStoreContractTests : IAsyncLifetime
{
    private readonly ServiceFarm _farm = new("rds-ls-contract");

    /// <summary>Points a license server at the test's one database.</summary>
    protected abstract void UseDatabase(ServiceSetup setup);

    /// <summary>A store over the test's database, as another process would open it (not migrated yet).</summary>
    protected abstract ILicenseStore NewStore();

    protected ServiceHost<LicenseServerService> StartReplica(string name) =>
        _farm.Start<LicenseServerService>(name, setup =>
        {
            setup.SimulatedClock = true;
            UseDatabase(setup);
        });

    protected static LicenseServerClient Client(ServiceHost<LicenseServerService> replica) => new(replica.WithRoleKeys(typeof(LicenseServerService)));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _farm.DisposeAsync();

    [Fact]
    public async Task DevicesRacingOnTwoReplicasForTenSeatsGetExactlyTen()
    {
        var (a, b) = (Client(StartReplica("ls-a")), Client(StartReplica("ls-b")));
        await a.ActivateAsync();
        await b.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 10));
        var devices = Enumerable.Range(0, 60).Select(i => (Client: i % 2 == 0 ? a : b, Id: $"race-{i}")).ToList();
        var temporaries = await Task.WhenAll(devices.Select(async d => await d.Client.RequestLicenseAsync(Requests.Device(d.Id))));
        await Task.WhenAll(temporaries.Select(async t =>
            await a.MarkLicenseValidatedAsync(new MarkLicenseValidatedRequest { LicenseId = t.License.LicenseId })));

        var answers = await Task.WhenAll(devices.Select(async d => await d.Client.RequestLicenseAsync(Requests.Device(d.Id))));

        Assert.Equal(10, answers.Count(r => r.Reason == ReasonCode.CalUpgraded));
        Assert.Equal(50, answers.Count(r => r.License.Status == CalStatus.Temporary));
        Assert.Equal(10, (await b.ListIssuedLicenses(new ListIssuedLicensesRequest { Status = CalStatus.Permanent }).ToListAsync()).Count);
        foreach (var client in new[] { a, b })
        {
            var pack = Assert.Single((await client.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
            Assert.Equal((10, 0), (pack.Issued, pack.Available));
        }
    }

    [Fact]
    public async Task ADeviceAskingOnTwoReplicasAtOnceGetsOneCalPerVersion()
    {
        var (a, b) = (Client(StartReplica("ls-a")), Client(StartReplica("ls-b")));
        var devices = Enumerable.Range(0, 40).Select(i => $"twice-{i}").ToList();

        // Device by device, each asking both replicas at once: the two writers' groups race for the same subjects.
        var answers = await Task.WhenAll(devices.SelectMany(d => new[] { a, b, b, a }.Select(async client =>
            (Device: d, Answer: await client.RequestLicenseAsync(Requests.Device(d))))));

        foreach (var device in answers.GroupBy(x => x.Device))
        {
            Assert.Single(device.Select(x => x.Answer.License.LicenseId).Distinct());
            var stored = await b.ListIssuedLicenses(new ListIssuedLicensesRequest { Subject = device.Key }).ToListAsync();
            Assert.Equal(device.First().Answer.License.LicenseId, Assert.Single(stored).LicenseId);
        }
    }

    [Fact]
    public async Task RevocationsInParallelOnTwoReplicasStopExactlyAtTheTwentyPercentCap()
    {
        var (a, b) = (Client(StartReplica("ls-a")), Client(StartReplica("ls-b")));
        await a.ActivateAsync();
        await a.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 10));
        var permanent = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => a.PermanentDeviceAsync($"revoke-{i}")));
        Assert.All(permanent, p => Assert.Equal(CalStatus.Permanent, p.License.Status));

        var refused = new List<StatusCode>();
        var revoked = await Task.WhenAll(permanent.Select(async (p, i) =>
        {
            try
            {
                return await (i % 2 == 0 ? a : b).RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = p.License.LicenseId });
            }
            catch (RpcException ex)
            {
                lock (refused)
                {
                    refused.Add(ex.StatusCode);
                }

                return null;
            }
        }));

        Assert.Equal(2, revoked.Count(r => r is not null));
        Assert.Equal(Enumerable.Repeat(StatusCode.FailedPrecondition, 8), refused);
        Assert.Equal(2, (await b.ListIssuedLicenses(new ListIssuedLicensesRequest { Status = CalStatus.Revoked }).ToListAsync()).Count);
    }

    [Fact]
    public async Task AnAuditCursorResumedWhileTwoReplicasWriteNeverSkipsAnEvent()
    {
        var (a, b) = (Client(StartReplica("ls-a")), Client(StartReplica("ls-b")));
        var writing = Task.WhenAll(Enumerable.Range(0, 80).Select(async i =>
            await (i % 2 == 0 ? a : b).RequestLicenseAsync(Requests.Device($"audit-{i}"))));

        var followed = new List<AuditEvent>();
        var done = false;
        while (!done)
        {
            // Read only once the writers have finished, so the last pages see every event.
            done = writing.IsCompleted;
            var page = await (followed.Count % 2 == 0 ? a : b).GetAuditTrail(new GetAuditTrailRequest
            {
                AfterSequence = followed.LastOrDefault()?.Sequence ?? 0,
                Limit = 7,
            }).ToListAsync();
            followed.AddRange(page);
            done &= page.Count == 0;
        }

        await writing;
        var trail = await a.GetAuditTrail(new GetAuditTrailRequest()).ToListAsync();
        Assert.Equal(80, trail.Count);
        Assert.Equal(trail.Select(e => e.Sequence), followed.Select(e => e.Sequence));
        Assert.True(trail.Zip(trail.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "The audit trail is not strictly increasing.");
    }

    [Fact]
    public async Task AGatewayAlertSentToTwoReplicasAtOnceIsAuditedOnce()
    {
        var (a, b) = (Client(StartReplica("ls-a")), Client(StartReplica("ls-b")));
        var alerts = Enumerable.Range(0, 20).Select(i => (Id: Guid.NewGuid(), Host: $"rdsh-twice-{i}")).ToList();
        var raisedAt = new DateTimeOffset(2026, 2, 1, 9, 0, 0, TimeSpan.Zero);

        // Each alert id twice to each replica, all at once: the check and the raise race across the two writers.
        var answers = await Task.WhenAll(alerts.SelectMany(alert => new[] { a, b, b, a }.Select(async client =>
            (alert.Id, (await client.RecordGatewayAlertAsync(Requests.GatewayAlert(alert.Id, alert.Host, raisedAt))).Recorded))));

        Assert.All(answers.GroupBy(x => x.Id), calls => Assert.Single(calls, call => call.Recorded));
        var audited = await b.GetAuditTrail(new GetAuditTrailRequest { Types_ = { RdsPlatform.Contracts.Licensing.V1.AuditEventType.AlertRaised } }).ToListAsync();
        Assert.Equal(alerts.Select(x => x.Host).Order(StringComparer.Ordinal), audited.Select(e => e.SessionHostId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task APoolMoveJudgedByTwoReplicasAtOnceIsAlertedOnceAndAStaleOneNotAtAll()
    {
        var (first, second) = (StartReplica("ls-a"), StartReplica("ls-b"));
        await Client(first).ActivateAsync();
        var at = new DateTimeOffset(2026, 2, 1, 9, 0, 0, TimeSpan.Zero);
        const string Pool = "pool/2022/1";
        first.Services.GetRequiredService<Alerts.AlertStateStore>().Save(Pool, "2/0", at);
        var alert = new Alerts.RaisedAlert(Core.AlertKind.PoolNone, at, "The test pool has no CAL left.", Core.ProductVersion.WindowsServer2022, Core.CalType.PerDevice);

        // Two judgments on each replica read Limited ("2/0") and saw None ("3/0"): the move is claimed with the alert.
        var raisers = new[] { first, second, second, first }.Select(r => r.Services.GetRequiredService<Alerts.AlertRaiser>());
        var raised = await Task.WhenAll(raisers.Select(r => r.RaiseAsync([alert], new Alerts.AlertClaim(Pool, "3/0", at, "2/0"), CancellationToken.None)));
        // A judgment that read the pool before that move (Available, "1/0") raises nothing and moves nothing.
        var stale = await second.Services.GetRequiredService<Alerts.AlertRaiser>().RaiseAsync([alert], new Alerts.AlertClaim(Pool, "2/0", at, "1/0"), CancellationToken.None);

        Assert.Single(raised, r => r);
        Assert.False(stale);
        Assert.Equal("3/0", first.Services.GetRequiredService<Alerts.AlertStateStore>().Load(Pool)[Pool]);
        var audited = await Client(second).GetAuditTrail(new GetAuditTrailRequest { Types_ = { RdsPlatform.Contracts.Licensing.V1.AuditEventType.AlertRaised } }).ToListAsync();
        Assert.Single(audited);
    }

    [Fact]
    public async Task AReplicaStartedLaterSeesEveryAcknowledgedChangeAndTheSameIdentity()
    {
        var first = StartReplica("ls-a");
        var a = Client(first);
        await a.ActivateAsync();
        await a.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 4));
        var permanent = await a.PermanentDeviceAsync("hw-1");
        await a.RequestLicenseAsync(Requests.Device("hw-2"));
        var before = (await a.GetServerInfoAsync(new GetServerInfoRequest())).Server;
        var packs = (await a.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks;
        var licenses = await a.ListIssuedLicenses(new ListIssuedLicensesRequest()).ToListAsync();
        var audit = await a.GetAuditTrail(new GetAuditTrailRequest()).ToListAsync();
        await _farm.StopAsync(first);

        var b = Client(StartReplica("ls-b"));

        var after = (await b.GetServerInfoAsync(new GetServerInfoRequest())).Server;
        Assert.Equal((before.ServerId, before.PublicKey, before.Contact), (after.ServerId, after.PublicKey, after.Contact));
        Assert.Equal(ActivationState.Activated, after.ActivationState);
        Assert.Equal(packs, (await b.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal(licenses, await b.ListIssuedLicenses(new ListIssuedLicensesRequest()).ToListAsync());
        Assert.Equal(audit, await b.GetAuditTrail(new GetAuditTrailRequest()).ToListAsync());
        var again = await b.RequestLicenseAsync(Requests.Device("hw-1"));
        Assert.Equal((permanent.License.LicenseId, ReasonCode.ValidCal), (again.License.LicenseId, again.Reason));
    }

    [Fact]
    public async Task ReplicasMigratingAtOnceStoreOneIdentityAndSigningKey()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => NewStore()).ToList();
        try
        {
            var created = 0;
            using var secondCreator = new ManualResetEventSlim();
            await Task.WhenAll(stores.Select((store, i) => Task.Run(() => store.MigrateAsync(() =>
            {
                // The first creator waits a moment for a second one: only a store that lets two replicas create at once lets it in.
                if (Interlocked.Increment(ref created) == 1)
                {
                    secondCreator.Wait(TimeSpan.FromSeconds(1));
                }
                else
                {
                    secondCreator.Set();
                }

                return new ServerRecord(Guid.NewGuid(), [(byte)i, 1, 2, 3], DateTimeOffset.UnixEpoch, Core.ActivationState.Initial);
            }, CancellationToken.None))));

            var servers = await Task.WhenAll(stores.Select(store => store.GetServerAsync(CancellationToken.None)));
            Assert.Equal(1, created);
            Assert.Single(servers.Select(s => (s.ServerId, Convert.ToHexString(s.SigningKey))).Distinct());
        }
        finally
        {
            stores.ForEach(store => (store as IDisposable)?.Dispose());
        }
    }

    [Fact]
    public async Task UnexpiredCalsAreCountedByTypeVersionStatusAndUserDomain()
    {
        using var store = (LicenseStore)NewStore();
        var now = DateTimeOffset.UtcNow;
        await store.MigrateAsync(() => new ServerRecord(Guid.NewGuid(), [1], now, Core.ActivationState.Initial), CancellationToken.None);
        LicenseRecord Cal(Core.CalType type, string subject, Core.CalStatus status, int days, string? domain = null, string? user = null) => new(
            new Core.IssuedCal(Guid.NewGuid(), type, Core.ProductVersion.WindowsServer2022, subject, status, null, now, now.AddDays(days)), null, domain, user, "host-count");
        await store.WriteAsync(session =>
        {
            session.InsertLicense(Cal(Core.CalType.PerDevice, "count-device", Core.CalStatus.Temporary, 90));
            session.InsertLicense(Cal(Core.CalType.PerDevice, "count-expired", Core.CalStatus.Temporary, -1));
            session.InsertLicense(Cal(Core.CalType.PerUser, @"CONTOSO\alice", Core.CalStatus.OverUsed, 60, "CONTOSO", "alice"));
            session.InsertLicense(Cal(Core.CalType.PerUser, @"FABRIKAM\bob", Core.CalStatus.OverUsed, 60));
            return 0;
        }, CancellationToken.None);

        var counts = await store.CountLicensesAsync([Core.CalStatus.Temporary, Core.CalStatus.OverUsed], now, CancellationToken.None);

        Assert.Equal(
            [(Core.CalType.PerDevice, Core.CalStatus.Temporary, "", 1L), (Core.CalType.PerUser, Core.CalStatus.OverUsed, "CONTOSO", 1L),
             (Core.CalType.PerUser, Core.CalStatus.OverUsed, "FABRIKAM", 1L)],
            counts.Select(c => (c.Type, c.Status, c.UserDomain, c.Count)).Order());
    }

    [Fact]
    public async Task QueuedWritesCommitTogetherAFailingOneRollsBackAloneAndACancelledOneNeverRuns()
    {
        var replica = StartReplica("ls-a");
        var now = (await Client(replica).GetServerInfoAsync(new GetServerInfoRequest())).Server.Now.ToDateTimeOffset();
        var store = replica.Services.GetRequiredService<ILicenseStore>();
        var group = await GroupCommit.RunAsync(store, now);

        Assert.Equal(1, group.First);
        Assert.Equal("This write fails after its insert.", group.Failure.Message);
        Assert.Equal(2, group.Succeeding);
        Assert.False(group.CancelledRan);
        Assert.True(group.LaterWriteRanBeforeTheCommit, "Two queued writes were committed in separate transactions.");
        var subjects = await store.StreamLicensesAsync(new LicenseQuery(now, IncludeExpired: true), CancellationToken.None)
            .Select(l => l.Cal.Subject).Order().ToListAsync();
        Assert.Equal(["group-first", "group-kept", "group-kept-2"], subjects);
    }
}
