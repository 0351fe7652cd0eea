using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>
/// Raises alerts when a pool gets worse (Limited, None, OverUsed; <see cref="PoolAlertRules"/>) or a version's revoke
/// cap is reached. Writers only signal it (<see cref="PoolsChanged"/>, <see cref="RevokeCapReached"/>), never wait for
/// it: it re-reads the pools in the background and hands each alert to the <see cref="AlertRaiser"/>. Each pool's last
/// state is kept in <see cref="AlertStateStore"/>, so a condition alerted before a restart is not alerted again after it.
/// Pools are judged only by the holder of the background-work <see cref="ILeaderLease"/>, so replicas on one database
/// raise each pool alert once; since other replicas' writes do not signal it, a holder shared with other replicas also
/// re-reads the pools every <see cref="LicenseServerOptions.AlertPollInterval"/>. Judgments come at most once per
/// <see cref="LicenseServerOptions.AlertReadInterval"/>: signals during the wait make one judgment after it.
/// </summary>
public sealed partial class AlertMonitor(
    ILicenseStore store,
    LicenseServerIdentity identity,
    AlertRaiser raiser,
    AlertStateStore states,
    ILeaderLease lease,
    IOptions<LicenseServerOptions> options,
    TimeProvider time,
    ILogger<AlertMonitor> logger) : BackgroundService
{
    private const string PoolKeyPrefix = "pool/";

    private readonly Channel<RaisedAlert?> _work = Channel.CreateBounded<RaisedAlert?>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private int _poolsSignalled;
    private long _lastJudgedTicks = long.MinValue / 2;

    /// <summary>Seats or packs changed: the pools are re-read soon (many signals before then make one re-read).</summary>
    public void PoolsChanged()
    {
        if (Interlocked.Exchange(ref _poolsSignalled, 1) == 0)
        {
            _work.Writer.TryWrite(null);
        }
    }

    /// <summary>A revoke left no more revocations of <paramref name="version"/> until <paramref name="nextAllowedAt"/>.</summary>
    public void RevokeCapReached(ProductVersion version, DateTimeOffset? nextAllowedAt) =>
        _work.Writer.TryWrite(new RaisedAlert(AlertKind.RevokeCapReached, time.GetUtcNow(),
            $"The 20% revoke cap of {VersionCompatibility.CalName(version)} Per Device CALs is reached: no more may be revoked" +
            (nextAllowedAt is { } next ? $" until {next:yyyy-MM-dd HH:mm} UTC, when the earliest revoked CAL expires." : " now."),
            version, CalType.PerDevice));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        PoolsChanged();
        // One process alone on its database (SQLite) sees every write it makes; replicas must look for each other's.
        var poll = lease is SingleProcessLease ? Task.CompletedTask : PollAsync(stoppingToken);
        try
        {
            await foreach (var work in _work.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    // The alert tables exist once the store is initialized (schema migrations run with the identity).
                    await identity.GetAsync(stoppingToken);
                    if (work is null)
                    {
                        await WaitForReadIntervalAsync(stoppingToken);
                        await RaisePoolAlertsAsync(stoppingToken);
                    }
                    else
                    {
                        await raiser.RaiseAsync(work, stoppingToken);
                    }
                }
                catch (Exception ex) when (ex.FailsOnlyTheRound(stoppingToken))
                {
                    // Whatever failed, the loop goes on: a monitor that stopped would never alert again.
                    LogFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await poll;
    }

    /// <summary>Waits out what is left of the read interval since the last judgment (operational time: not a licensing fact).</summary>
    private async Task WaitForReadIntervalAsync(CancellationToken stoppingToken)
    {
        var left = _lastJudgedTicks + (long)options.Value.AlertReadInterval.TotalMilliseconds - Environment.TickCount64;
        if (left > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(left), stoppingToken);
        }

        _lastJudgedTicks = Environment.TickCount64;
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.AlertPollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                PoolsChanged();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task RaisePoolAlertsAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _poolsSignalled, 0);
        if (!await lease.TryHoldAsync(cancellationToken))
        {
            return;
        }

        // The states last alerted, by whichever replica held the lease then (read at every judgment, never cached: a
        // replica that held the lease before must not judge against what it knew then); a pool never stored counts as
        // Available (PoolAlertRules).
        var known = states.Load(PoolKeyPrefix);
        var now = time.GetUtcNow();
        var levels = await store.ReadPoolLevelsAsync(now, cancellationToken);
        var pools = levels.Packs.GroupBy(p => (p.Version, p.CalType))
            .ToDictionary(g => g.Key, g => (Installed: (long)g.Sum(p => p.Installed), Issued: (long)g.Sum(p => p.Issued), Available: (long)g.Sum(p => p.Available)));
        foreach (var overUsed in levels.OverUsed.Where(o => o.Count > 0))
        {
            pools.TryAdd((overUsed.Version, CalType.PerUser), (0, 0, 0));
        }

        var moves = new List<AlertClaim>();
        foreach (var ((version, type), pool) in pools)
        {
            var overUsed = type == CalType.PerUser ? levels.OverUsed.FirstOrDefault(o => o.Version == version)?.Count ?? 0 : 0;
            var state = new PoolState(PoolAvailabilityRules.Classify(type, options.Value.Scope, pool.Installed, pool.Available), overUsed);
            var key = $"{PoolKeyPrefix}{(int)version}/{(int)type}";
            var stored = known.GetValueOrDefault(key);
            var before = stored is null ? (PoolState?)null : ParseState(stored);
            if (before == state)
            {
                continue;
            }

            // The pool's move from the state read to this one is claimed with its alerts, in their transaction: a judgment
            // that overlaps another (a lease changing hands, a stale replica) raises nothing for a pool the other moved, and a
            // failure before the commit leaves the pool as it was for the next judgment. Every change is kept, better ones
            // too: a pool that recovered and runs out again alerts again, after a restart as well.
            var move = new AlertClaim(key, FormatState(state), now, stored);
            var alerts = PoolAlertRules.Crossed(before, state)
                .Select(kind => new RaisedAlert(kind, now, Describe(kind, version, type, pool.Installed, pool.Available, overUsed),
                    version, type, pool.Installed, pool.Issued, pool.Available, overUsed))
                .ToList();
            if (alerts.Count > 0)
            {
                // Not cancelled by a stop: the judgment is short, and what it read is still true.
                await raiser.RaiseAsync(alerts, move, CancellationToken.None);
            }
            else
            {
                moves.Add(move);
            }
        }

        states.Move(moves);
    }

    private static string FormatState(PoolState state) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)state.Availability}/{state.OverUsed}");

    private static PoolState ParseState(string text)
    {
        var parts = text.Split('/');
        return new PoolState((PoolAvailability)int.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private static string Describe(AlertKind kind, ProductVersion version, CalType type, long installed, long available, long overUsed)
    {
        var pool = $"{VersionCompatibility.CalName(version)} {(type == CalType.PerDevice ? "Per Device" : "Per User")}";
        return kind switch
        {
            AlertKind.PoolLimited => $"The {pool} pool is Limited: {available} of {installed} CALs are free. Install more CALs of this version before it runs out.",
            AlertKind.PoolNone => $"The {pool} pool has no CAL left ({installed} installed). " +
                (type == CalType.PerDevice
                    ? "New devices get temporary CALs only and are refused when those expire; install a key pack of this version or newer."
                    : "New users are recorded as OverUsed; install Per User CALs of this version or newer."),
            AlertKind.PoolOverUsed => $"{overUsed} {pool} CALs are OverUsed beyond the {installed} installed: the farm is out of compliance until Per User CALs are installed.",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a pool alert."),
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluating alerts failed; the next change retries")]
    private partial void LogFailed(Exception exception);
}
