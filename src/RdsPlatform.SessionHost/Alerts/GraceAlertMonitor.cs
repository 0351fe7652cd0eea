using System.Diagnostics.Metrics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.SessionHost.LicenseServers;

namespace RdsPlatform.SessionHost.Alerts;

/// <summary>
/// Raises GRACE_PERIOD_LOW, which only a gateway can see: a host in grace with fewer than
/// <see cref="GraceAlertOptions.GraceDaysThreshold"/> days left (licensing clock) none of whose license servers answers a
/// probe. Once per host and grace period (<see cref="IGatewayAlertOutbox"/>), at once as a structured log record (with the
/// Prometheus rule in docs/alerts.md, the channel that works during the outage), and handed to a license server with
/// RecordGatewayAlert as soon as one of the host's servers answers, which audits it and sends it to webhooks.
/// </summary>
public sealed partial class GraceAlertMonitor(
    SessionHostStore hosts,
    LicenseServerRegistry servers,
    IGatewayAlertOutbox outbox,
    IOptions<GraceAlertOptions> options,
    TimeProvider time,
    IMeterFactory meters,
    ILogger<GraceAlertMonitor> logger) : BackgroundService
{
    private readonly ObservableGauge<int> _undelivered = meters.Create(GatewayMetrics.MeterName).CreateObservableGauge(
        "rds.alerts.undelivered", () => outbox.Undelivered().Count, "{alert}",
        "Alerts this gateway raised (GRACE_PERIOD_LOW) that no license server has recorded yet.");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Operational time, not licensing time: the check runs on its interval whatever the licensing clock says.
        using var timer = new PeriodicTimer(options.Value.CheckInterval);
        do
        {
            try
            {
                await CheckAsync(stoppingToken);
                await DeliverAsync(stoppingToken);
            }
            catch (Exception ex) when (ex.FailsOnlyTheRound(stoppingToken))
            {
                // Whatever failed, the monitor goes on: one that stopped would never raise a grace period alert again.
                LogRoundFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Raises the alert of every host that needs one now; the ones raised.</summary>
    public async Task<IReadOnlyList<GatewayAlertRow>> CheckAsync(CancellationToken cancellationToken)
    {
        var raised = new List<GatewayAlertRow>();
        var probed = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        foreach (var host in hosts.All.OrderBy(h => h.HostId, StringComparer.OrdinalIgnoreCase))
        {
            var now = time.GetUtcNow();
            if (!GracePeriodAlertRules.IsLow(host.GraceStartedAt, now, options.Value.GraceDaysThreshold)
                || outbox.WasRaised(host.HostId, host.GraceStartedAt)
                || await AnyAnswersAsync(host.LicenseServers, probed, cancellationToken))
            {
                continue;
            }

            var alert = new GatewayAlertRow(GracePeriodAlertRules.AlertId(host.HostId, host.GraceStartedAt), host.HostId, host.GraceStartedAt,
                GracePeriod.DaysLeft(host.GraceStartedAt, now), GracePeriod.EndsAt(host.GraceStartedAt), now, null);
            if (outbox.TryAdd(alert))
            {
                LogGracePeriodLow("grace_period.low", alert.HostId, alert.DaysLeft, alert.GraceEndsAt, alert.AlertId,
                    GracePeriodAlertRules.Describe(alert.HostId, alert.DaysLeft, alert.GraceEndsAt));
                raised.Add(alert);
            }
        }

        return raised;
    }

    /// <summary>Offers every undelivered alert to its host's license servers (as configured now); how many were recorded.</summary>
    public async Task<int> DeliverAsync(CancellationToken cancellationToken)
    {
        var delivered = 0;
        foreach (var alert in outbox.Undelivered())
        {
            var entries = hosts.Find(alert.HostId)?.LicenseServers ?? [];
            var request = new RecordGatewayAlertRequest
            {
                AlertId = alert.AlertId.ToString(),
                Type = AlertType.GracePeriodLow,
                SessionHostId = alert.HostId,
                GraceDaysLeft = alert.DaysLeft,
                GraceEndsAt = Timestamp.FromDateTimeOffset(alert.GraceEndsAt),
                RaisedAt = Timestamp.FromDateTimeOffset(alert.RaisedAt),
            };
            RpcException? refusal = null;
            var reply = await servers.FirstAnswerAsync(entries, async (server, callOptions) =>
            {
                try
                {
                    return await server.Client.RecordGatewayAlertAsync(request, callOptions).ResponseAsync;
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument)
                {
                    refusal = ex;
                    return null;
                }
            }, cancellationToken);
            if (reply is null && refusal is null)
            {
                LogWaiting(alert.AlertId, alert.HostId);
                continue;
            }

            if (refusal is not null)
            {
                // A request the server can never accept: retrying it forever would hide the alert as "waiting".
                LogRefused(alert.AlertId, alert.HostId, refusal.Status.Detail);
            }

            outbox.MarkDelivered(alert.AlertId, time.GetUtcNow());
            delivered++;
        }

        return delivered;
    }

    /// <summary>Whether one of the entries answers GetServerInfo now; each address is probed once per round.</summary>
    private async Task<bool> AnyAnswersAsync(IReadOnlyList<string> entries, Dictionary<string, bool> probed, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            var server = servers.Get(entry);
            if (!probed.TryGetValue(server.Address, out var answered))
            {
                answered = !server.IsSkipped && await servers.TryGetServerInfoAsync(server, cancellationToken) is not null;
                probed[server.Address] = answered;
            }

            if (answered)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning,
        Message = "Alert {AlertType}: session host {HostId} has {DaysLeft} day(s) of grace left (ends {GraceEndsAt}) and no license server answers; alert {AlertId} waits for a license server. {Detail}")]
    private partial void LogGracePeriodLow(string alertType, string hostId, int daysLeft, DateTimeOffset graceEndsAt, Guid alertId, string detail);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No license server of {HostId} answered; alert {AlertId} waits in the outbox")]
    private partial void LogWaiting(Guid alertId, string hostId);

    [LoggerMessage(Level = LogLevel.Error, Message = "A license server refused alert {AlertId} of {HostId} ({Detail}); it is not offered again")]
    private partial void LogRefused(Guid alertId, string hostId, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Checking grace periods for alerts failed; the next round retries")]
    private partial void LogRoundFailed(Exception exception);
}
