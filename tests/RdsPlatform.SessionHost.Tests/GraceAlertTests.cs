using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.SessionHost.Alerts;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>
/// GRACE_PERIOD_LOW: a host in grace with fewer than Alerts:GraceDaysThreshold days left and no license server answering
/// is alerted by its gateway at once (log record, outbox row), once per grace period across restarts, and audited and
/// sent to webhooks by the license server when it answers again. Alone in the process: it reads the gateway's exported
/// OpenTelemetry logs (<see cref="AloneInProcess"/>).
/// </summary>
[Collection(AloneInProcess.Name)]
public sealed class GraceAlertTests : IAsyncLifetime
{
    private const string HostId = "rdsh-grace";
    private const string Secret = "whsec-grace-0123456789";

    private readonly Farm _farm = new();
    private readonly LogCapture _logs = new();
    private readonly WebhookReceiver _receiver = new();

    public async Task InitializeAsync()
    {
        _farm.GatewaySettings["Alerts:CheckInterval"] = "00:00:00.100";
        _farm.GatewaySettings["Alerts:GraceDaysThreshold"] = "14";
        _farm.ConfigureGatewayServices = _logs.AddTo;
        await _farm.RestartGatewayAsync();
        await _receiver.StartAsync();
    }

    [Fact]
    public async Task AHostRunningOutOfGraceWithoutALicenseServerIsLoggedKeptAndAuditedAndDeliveredOnceItAnswers()
    {
        await _farm.LicenseServer.CreateWebhookSubscriptionAsync(new CreateWebhookSubscriptionRequest
        {
            Url = _receiver.Url.ToString(),
            EventTypes = { AlertType.GracePeriodLow },
            Secret = Secret,
        });
        await _farm.ConfigureAsync(HostId, LicensingMode.PerDevice);
        _farm.LicenseServerDown = true;

        _farm.AdvanceDays(107.5);
        var row = await WaitForAsync(() => Outbox.ForHost(HostId).SingleOrDefault(), "an outbox row");

        Assert.Null(row.DeliveredAt);
        Assert.Equal(13, row.DaysLeft);
        var log = Assert.Single(GraceLogs());
        Assert.Equal(LogLevel.Warning, log.Level);
        Assert.Equal(HostId, log.Attributes["HostId"]);
        Assert.Equal(13, log.Attributes["DaysLeft"]);
        Assert.Equal("grace_period.low", log.Attributes["AlertType"]);

        _farm.AdvanceDays(1);
        _farm.LicenseServerDown = false;
        var audit = await WaitForAsync(async () => (await GraceAuditsAsync()).SingleOrDefault(), "an ALERT_RAISED audit event");
        var delivery = await _receiver.WaitForAsync(1);

        Assert.Equal(HostId, audit.SessionHostId);
        Assert.Contains("13 day(s)", audit.Detail, StringComparison.Ordinal);
        Assert.Equal(row.RaisedAt, audit.OccurredAt.ToDateTimeOffset());
        Assert.True(delivery.IsSignedWith(Secret), delivery.Signature);
        Assert.Equal("grace_period.low", delivery.EventType);
        using var body = JsonDocument.Parse(delivery.Body);
        Assert.Equal("ALERT_TYPE_GRACE_PERIOD_LOW", body.RootElement.GetProperty("type").GetString());
        Assert.Equal(HostId, body.RootElement.GetProperty("sessionHostId").GetString());
        Assert.Equal(13, body.RootElement.GetProperty("graceDaysLeft").GetInt32());
        await WaitForAsync(() => Outbox.ForHost(HostId).SingleOrDefault(r => r.DeliveredAt is not null), "the row marked delivered");
    }

    [Fact]
    public async Task AGatewayRestartedDuringTheOutageDoesNotRaiseTheSameAlertAgain()
    {
        await _farm.ConfigureAsync(HostId, LicensingMode.PerDevice);
        _farm.LicenseServerDown = true;
        _farm.AdvanceDays(110);
        await WaitForAsync(() => Outbox.ForHost(HostId).SingleOrDefault(), "an outbox row");

        await _farm.RestartGatewayAsync();
        _farm.AdvanceDays(2);
        var raisedAfterRestart = await Monitor.CheckAsync(CancellationToken.None);
        await _farm.RestartGatewayAsync();
        _farm.LicenseServerDown = false;
        await WaitForAsync(() => Outbox.ForHost(HostId).SingleOrDefault(r => r.DeliveredAt is not null), "the row marked delivered");

        Assert.Empty(raisedAfterRestart);
        Assert.Single(Outbox.ForHost(HostId));
        Assert.Single(GraceLogs());
        Assert.Single(await GraceAuditsAsync());
    }

    [Fact]
    public async Task AHostWhoseLicenseServerHangsIsAlertedOnceTheProbeReachesItsDeadline()
    {
        // A hung license server is given up on at this deadline (the farm's default is long for a busy machine).
        _farm.GatewaySettings["Gateway:LicenseServerTimeout"] = "00:00:01";
        await _farm.RestartGatewayAsync();
        await _farm.ConfigureAsync(HostId, LicensingMode.PerUser);
        _farm.LicenseServerHangs = true;
        _farm.AdvanceDays(115);

        var row = await WaitForAsync(() => Outbox.ForHost(HostId).SingleOrDefault(), "an outbox row");

        Assert.Equal(5, row.DaysLeft);
        Assert.Single(GraceLogs());
        _farm.LicenseServerHangs = false;
        await WaitForAsync(async () => (await GraceAuditsAsync()).SingleOrDefault(), "an ALERT_RAISED audit event");
    }

    [Fact]
    public async Task AHostWhoseLicenseServerAnswersOrWithMoreDaysLeftIsNotAlerted()
    {
        await _farm.ConfigureAsync(HostId, LicensingMode.PerDevice);
        await _farm.ConfigureAsync("rdsh-early", LicensingMode.PerDevice, licenseServers: "unreachable-ls");
        _farm.AdvanceDays(50);
        await _farm.ConfigureAsync("rdsh-late", LicensingMode.PerDevice, licenseServers: "unreachable-ls");
        _farm.AdvanceDays(60);

        var raised = await Monitor.CheckAsync(CancellationToken.None);

        // Only the host with 10 days left and no answering server; the one with 60 days left and the one whose server answers are not.
        Assert.Equal(["rdsh-early"], raised.Select(r => r.HostId).Concat(Outbox.Undelivered().Select(r => r.HostId)).Distinct());
        Assert.Empty(Outbox.ForHost(HostId));
        Assert.Empty(Outbox.ForHost("rdsh-late"));
    }

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private IGatewayAlertOutbox Outbox => _farm.GatewayServices.GetRequiredService<IGatewayAlertOutbox>();

    private GraceAlertMonitor Monitor => _farm.GatewayServices.GetRequiredService<GraceAlertMonitor>();

    private List<CapturedLog> GraceLogs() =>
        _logs.Logs.Where(l => l.Category == typeof(GraceAlertMonitor).FullName && l.Attributes.TryGetValue("AlertType", out var type) && Equals(type, "grace_period.low"))
            .ToList();

    private async Task<List<AuditEvent>> GraceAuditsAsync()
    {
        using var call = _farm.LicenseServer.GetAuditTrail(new GetAuditTrailRequest { Types_ = { AuditEventType.AlertRaised } });
        return await call.ResponseStream.ReadAllAsync().Where(e => e.SessionHostId == HostId).ToListAsync();
    }

    private static Task<T> WaitForAsync<T>(Func<T?> read, string what) where T : class => WaitForAsync(() => Task.FromResult(read()), what);

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> read, string what) where T : class
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await read() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < until, $"No {what} within 30 s.");
            await Task.Delay(50);
        }
    }
}
