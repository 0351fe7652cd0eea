using System.Text.Json;
using RdsPlatform.Contracts.Licensing.V1;
using AuditType = RdsPlatform.Contracts.Licensing.V1.AuditEventType;

namespace RdsPlatform.LicenseServer.Tests.Replicas;

/// <summary>
/// A gateway alert handed to several replicas at the same instant (a gateway retrying through its load balancer, or two
/// gateway replicas sending one alert) is recorded once: one ALERT_RAISED event and one webhook delivery per alert id,
/// and exactly one of the calls answers that it recorded it.
/// </summary>
public sealed class GatewayAlertsAcrossReplicasTests(PostgresDatabaseFixture database) : AlertReplicaTests(database, "lsgwalerts")
{
    private static readonly DateTimeOffset RaisedAt = new(2026, 2, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AGatewayAlertSentToThreeReplicasAtOnceIsRecordedAndDeliveredOnce()
    {
        var clients = Replicas.StartThree();
        await SubscribeAsync(clients[0], AlertType.GracePeriodLow);
        var alerts = Enumerable.Range(0, 20).Select(i => (Id: Guid.NewGuid(), Host: $"rdsh-race-{i}")).ToList();

        // Each alert id twice to each replica, all at once.
        var answers = await Task.WhenAll(alerts.SelectMany(alert => clients.Concat(clients).Select(async client =>
            (alert.Id, (await client.RecordGatewayAlertAsync(Requests.GatewayAlert(alert.Id, alert.Host, RaisedAt))).Recorded))));
        var received = await ReceivedAsync("grace_period.low", alerts.Count);
        var audited = await Replicas.QueryAsync<string>($"SELECT session_host_id FROM audit_events WHERE type = {(int)AuditType.AlertRaised}");

        Assert.All(answers.GroupBy(a => a.Id), calls => Assert.Single(calls, call => call.Recorded));
        Assert.Equal(alerts.Select(a => a.Host).Order(StringComparer.Ordinal), audited.Order(StringComparer.Ordinal));
        Assert.Equal(alerts.Select(a => a.Id.ToString()).Order(StringComparer.Ordinal),
            received.Select(d => JsonDocument.Parse(d.Body).RootElement.GetProperty("alertId").GetString()).Order(StringComparer.Ordinal));
    }
}
