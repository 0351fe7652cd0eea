using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.LicenseServer.Replicas;

namespace RdsPlatform.LicenseServer.Tests.Replicas;

/// <summary>
/// The reclaim sweep runs on one replica at a time (the holder of the PostgreSQL background-work lease), and when that
/// replica stops another takes the lease over within a few sweep intervals and carries the sweep on.
/// </summary>
public sealed class BackgroundLeaseTests(PostgresDatabaseFixture database) : ReplicaTests(database, "lslease", new Dictionary<string, string?> { ["LicenseServer:ReclaimSweepInterval"] = "00:00:00.2" })
{
    private static readonly TimeSpan TakeOverBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task OneReplicaHoldsTheSweepAndAnotherCarriesItOnWhenItStops()
    {
        var (a, b) = (Replicas.Start("ls-a"), Replicas.Start("ls-b"));
        var client = LicenseServerReplicas.Client(a);
        await client.ActivateAsync();
        await client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 3));
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => client.PermanentDeviceAsync($"sweep-{i}")));
        var firstHolder = Assert.Single(await HoldersAsync(except: null));

        var holds = await Task.WhenAll(new[] { a, b }.Select(r => r.Services.GetRequiredService<ILeaderLease>().TryHoldAsync(CancellationToken.None).AsTask()));
        Assert.Equal(1, holds.Count(h => h));
        var (holder, survivor) = holds[0] ? (a, b) : (b, a);
        await Replicas.StopAsync(holder);
        var stopped = Stopwatch.StartNew();
        var nextHolder = Assert.Single(await HoldersAsync(except: firstHolder));
        var tookOver = stopped.Elapsed;
        await LicenseServerReplicas.Clock(survivor).AdvanceAsync(new AdvanceRequest { By = Duration.FromTimeSpan(TimeSpan.FromDays(90)) });
        var reclaimed = await ReclaimedAsync(3);

        Assert.NotEqual(firstHolder, nextHolder);
        Assert.True(tookOver < TakeOverBound, $"The lease was taken over {tookOver} after its holder stopped.");
        Assert.Equal(3, reclaimed);
        Assert.Equal([nextHolder], await HoldersAsync(except: firstHolder));
    }

    /// <summary>The backends holding the lease, once one other than <paramref name="except"/> does.</summary>
    private async Task<List<int>> HoldersAsync(int? except)
    {
        var classId = (uint)(PostgresLeaderLease.LeaseKey >>> 32);
        var objectId = (uint)(PostgresLeaderLease.LeaseKey & 0xFFFF_FFFF);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var holders = await Replicas.QueryAsync<int>(
                $"SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = {classId} AND objid = {objectId} AND objsubid = 1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
            if ((holders.Count > 0 && !holders.Contains(except ?? -1)) || deadline.Elapsed > Patience)
            {
                return holders;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>How many reclaims the audit trail holds, once it holds <paramref name="expected"/> (or the patience ran out).</summary>
    private async Task<long> ReclaimedAsync(long expected)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var count = (await Replicas.QueryAsync<long>(
                $"SELECT count(*) FROM audit_events WHERE type = {(int)RdsPlatform.Contracts.Licensing.V1.AuditEventType.LicenseReclaimed}")).Single();
            if (count >= expected || deadline.Elapsed > Patience)
            {
                return count;
            }

            await Task.Delay(100);
        }
    }
}
