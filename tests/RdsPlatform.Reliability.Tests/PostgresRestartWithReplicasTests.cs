using Google.Protobuf.WellKnownTypes;
using Npgsql;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Testing;
using Xunit.Abstractions;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.Reliability.Tests;

/// <summary>
/// The one PostgreSQL server of three license-server replicas (real processes) stopped and started while 20 callers
/// add new devices through all three: while it is down every replica answers UNAVAILABLE with a sentence at once; once
/// it is back every replica issues again by itself, every acknowledged CAL is stored, the pool is not over-allocated,
/// and exactly one replica holds the background-work lease again and sweeps. The server is the test's own.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class PostgresRestartWithReplicasTests(GarnetFixture cache, ITestOutputHelper output)
{
    private const int Callers = 20;
    private const int Seats = 50;

    /// <summary>PostgresLeaderLease.LeaseKey ("RDSLicLs"): the service runs as a process here, its assembly is not referenced.</summary>
    private const long LeaseKey = 0x5244_534C_6963_4C73;

    /// <summary>
    /// Below Npgsql's 15 s connect timeout and the calls' 20 s deadline: a refusal must come from the refused connection,
    /// not from waiting either out (with room for a machine shared with other builds; refusals here take well under 2 s).
    /// </summary>
    private static readonly TimeSpan FailFast = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task EveryReplicaAnswersUnavailableWhileTheServerIsDownRecoversByItselfAndLosesNoCal()
    {
        var server = await PostgresServer.StartPrivateAsync();
        try
        {
            var database = await server.CreateDatabaseAsync("lsrestart");
            (string, string)[] settings = [("Storage__Provider", "Postgres"), ("ConnectionStrings__licensing", database),
                ("Clock__Mode", "Simulated"), ("LicenseServer__ReclaimSweepInterval", "00:00:00.5")];
            await using var farm = await ProcessFarm.StartAsync(cache, "pg-replicas-down", settings);
            await using var b = await LicenseServerReplicas.StartAsync(farm, cache, "ls-b", database, output, settings);
            await using var c = await LicenseServerReplicas.StartAsync(farm, cache, "ls-c", database, output, settings);
            ServiceProcess[] replicas = [farm.LicenseServer, b, c];
            var clients = replicas.Select(r => new LicenseServerClient(r.Channel.Authorized(TestKeys.SessionHost))).ToArray();
            await farm.ActivateAsync();
            var pack = await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, Seats);
            // The test's own reads open a new connection each: a pooled one would be dead after the restart.
            var reads = new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ToString();
            Assert.Single(await LeaseHoldersAsync(reads));

            var ledger = new Ledger();
            var load = new OutageLoad();
            load.Start(Callers, (caller, i) => ledger.AddDeviceAsync(clients[caller % replicas.Length], $"pg-restart-{caller}-{i:D5}"));
            var outage = await load.RunThroughOutageAsync(server, mark =>
                Enumerable.Range(0, replicas.Length).All(r => load.AcknowledgedAfter(mark, caller => caller % replicas.Length == r) >= 10));

            Assert.All(Enumerable.Range(0, replicas.Length), r => Assert.Contains(load.Failures, f => f.Worker % replicas.Length == r));
            Assert.All(load.Failures, f => Assert.True(f.Took < FailFast, $"A refusal took {f.Took}."));
            var summary = await StoreConsistency.AssertConsistentAsync(farm, ledger, pack);
            var permanent = await PostgresColumn.ReadAsync<long>(reads, "SELECT count(*) FROM licenses WHERE key_pack_id IS NOT NULL");
            Assert.InRange(permanent.Single(), 0, Seats);
            var holder = Assert.Single(await LeaseHoldersAsync(reads));
            await ProcessFarm.Clock(b).AdvanceAsync(new AdvanceRequest { By = Duration.FromTimeSpan(TimeSpan.FromDays(90)) });
            await Poll.UntilAsync(async () => (await AuditCountAsync(reads, AuditEventType.LicenseReclaimed)) == permanent.Single(),
                TimeSpan.FromSeconds(30), "The expired seats were not reclaimed after the restart.");
            Assert.Equal([holder], await LeaseHoldersAsync(reads));
            output.WriteLine($"{Callers} callers over {replicas.Length} replicas. {outage} {summary}. The lease is held by one backend (pid {holder}), " +
                $"which reclaimed the {permanent.Single()} expired seats.");
        }
        finally
        {
            server.Stop();
        }
    }

    /// <summary>The backends that hold the background-work lease, once one does (bounded: a replica asks every sweep interval).</summary>
    private static async Task<List<int>> LeaseHoldersAsync(string database)
    {
        var sql = $"""
            SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = {(uint)(LeaseKey >>> 32)}
            AND objid = {(uint)(LeaseKey & 0xFFFF_FFFF)} AND objsubid = 1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """;
        var holders = new List<int>();
        await Poll.UntilAsync(async () => (holders = await PostgresColumn.ReadAsync<int>(database, sql)).Count > 0, TimeSpan.FromSeconds(15),
            "No replica holds the background-work lease.");
        return holders;
    }

    private static async Task<long> AuditCountAsync(string database, AuditEventType type) =>
        (await PostgresColumn.ReadAsync<long>(database, $"SELECT count(*) FROM audit_events WHERE type = {(int)type}")).Single();
}
