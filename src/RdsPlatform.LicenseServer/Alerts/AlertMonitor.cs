using System.Threading.Channels;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Mapping;
using Contract = RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>
/// Raises alerts when a pool gets worse (Limited, None, OverUsed; <see cref="PoolAlertRules"/>) or a version's revoke
/// cap is reached. Writers only signal it (<see cref="PoolsChanged"/>, <see cref="RevokeCapReached"/>), never wait for
/// it: it re-reads the pools in the background, and each alert becomes an audit event, a log record and one queued
/// delivery per matching webhook subscription. Pools start unknown in each process, so a condition that still holds
/// after a restart is alerted once more.
/// </summary>
public sealed partial class AlertMonitor(
    ILicenseStore store,
    LicenseServerIdentity identity,
    WebhookStore webhooks,
    WebhookDispatcher dispatcher,
    IOptions<LicenseServerOptions> options,
    TimeProvider time,
    ILogger<AlertMonitor> logger) : BackgroundService
{
    private readonly Channel<PendingAlert?> _work = Channel.CreateBounded<PendingAlert?>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Dictionary<(ProductVersion, CalType), PoolState> _pools = [];
    private int _poolsSignalled;

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
        _work.Writer.TryWrite(new PendingAlert(AlertKind.RevokeCapReached, version, CalType.PerDevice, 0, 0, 0, 0,
            $"The 20% revoke cap of {VersionCompatibility.CalName(version)} Per Device CALs is reached: no more may be revoked" +
            (nextAllowedAt is { } next ? $" until {next:yyyy-MM-dd HH:mm} UTC, when the earliest revoked CAL expires." : " now.")));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        PoolsChanged();
        try
        {
            await foreach (var work in _work.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    var id = await identity.GetAsync(stoppingToken);
                    var alerts = work is null ? await PoolAlertsAsync(stoppingToken) : [work];
                    foreach (var alert in alerts)
                    {
                        await RaiseAsync(alert, id.ServerId, stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or IOException)
                {
                    LogFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task<List<PendingAlert>> PoolAlertsAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _poolsSignalled, 0);
        var levels = await store.ReadPoolLevelsAsync(time.GetUtcNow(), cancellationToken);
        var pools = levels.Packs.GroupBy(p => (p.Version, p.CalType))
            .ToDictionary(g => g.Key, g => (Installed: (long)g.Sum(p => p.Installed), Issued: (long)g.Sum(p => p.Issued), Available: (long)g.Sum(p => p.Available)));
        foreach (var overUsed in levels.OverUsed.Where(o => o.Count > 0))
        {
            pools.TryAdd((overUsed.Version, CalType.PerUser), (0, 0, 0));
        }

        var alerts = new List<PendingAlert>();
        foreach (var ((version, type), pool) in pools)
        {
            var overUsed = type == CalType.PerUser ? levels.OverUsed.FirstOrDefault(o => o.Version == version)?.Count ?? 0 : 0;
            var state = new PoolState(PoolAvailabilityRules.Classify(type, options.Value.Scope, pool.Installed, pool.Available), overUsed);
            var before = _pools.TryGetValue((version, type), out var known) ? known : (PoolState?)null;
            _pools[(version, type)] = state;
            foreach (var kind in PoolAlertRules.Crossed(before, state))
            {
                alerts.Add(new PendingAlert(kind, version, type, pool.Installed, pool.Issued, pool.Available, overUsed,
                    Describe(kind, version, type, pool.Installed, pool.Available, overUsed)));
            }
        }

        return alerts;
    }

    private async Task RaiseAsync(PendingAlert alert, Guid serverId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var message = new Contract.Alert
        {
            AlertId = Guid.CreateVersion7().ToString(),
            Type = ContractMapping.ToContract(alert.Kind),
            OccurredAt = Timestamp.FromDateTimeOffset(now),
            ServerId = serverId.ToString(),
            ProductVersion = ContractMapping.ToContract(alert.Version),
            CalType = ContractMapping.ToContract(alert.Type),
            Installed = alert.Installed,
            Issued = alert.Issued,
            Available = alert.Available,
            Overused = alert.OverUsed,
            Detail = alert.Detail,
        };
        await store.WriteAsync(session =>
        {
            session.Append(new AuditEntry(now, AuditEventType.AlertRaised, alert.Detail, CalType: alert.Type, Version: alert.Version));
            return 0;
        }, cancellationToken);
        LogAlert(AlertNames.EventName(alert.Kind), alert.Detail);

        var body = JsonFormatter.Default.Format(message);
        foreach (var subscription in webhooks.Subscriptions().Where(s => s.EventTypes.Contains(alert.Kind)))
        {
            var delivery = new WebhookDeliveryRecord(Guid.CreateVersion7(), subscription.SubscriptionId, alert.Kind, body,
                DeliveryState.Pending, 0, 0, "", TimeProvider.System.GetUtcNow(), null);
            webhooks.AddDelivery(delivery);
            dispatcher.Enqueue(delivery);
        }
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

    private sealed record PendingAlert(AlertKind Kind, ProductVersion Version, CalType Type, long Installed, long Issued, long Available, long OverUsed, string Detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {AlertType}: {Detail}")]
    private partial void LogAlert(string alertType, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluating alerts failed; the next change retries")]
    private partial void LogFailed(Exception exception);
}

/// <summary>The event names webhook receivers see in <c>Rds-Event-Type</c>.</summary>
public static class AlertNames
{
    public static string EventName(AlertKind kind) => kind switch
    {
        AlertKind.PoolLimited => "pool.limited",
        AlertKind.PoolNone => "pool.none",
        AlertKind.PoolOverUsed => "pool.overused",
        AlertKind.RevokeCapReached => "revoke_cap.reached",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an alert kind."),
    };
}
