using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Grpc;
using RdsPlatform.ServiceDefaults.Outcomes;
using Contract = RdsPlatform.Contracts.Licensing.V1;
using FieldViolation = RdsPlatform.Licensing.FieldViolation;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>A checked RecordGatewayAlert request: an alert a gateway raised about one of its session hosts.</summary>
public sealed record GatewayAlert(Guid AlertId, string SessionHostId, int GraceDaysLeft, DateTimeOffset GraceEndsAt, DateTimeOffset RaisedAt);

/// <summary>
/// Records alerts only a gateway can see (GRACE_PERIOD_LOW) like this server's own: audit event at the time the gateway
/// raised it, log record, webhooks. Once per alert id, across retries, gateway replicas and restarts of this server.
/// </summary>
public sealed class GatewayAlerts(AlertRaiser raiser, AlertStateStore states, TimeProvider time)
{
    private const string KeyPrefix = "gateway/";

    /// <summary>The request as a <see cref="GatewayAlert"/>, or the field problems that refuse it.</summary>
    public static Outcome<GatewayAlert> Check(Contract.RecordGatewayAlertRequest request)
    {
        var problems = new List<FieldViolation>();
        if (!Guid.TryParse(request.AlertId, out var alertId))
        {
            problems.Add(new("alert_id", "Give the alert's id, a UUID; the same id sent again is recorded once."));
        }

        if (request.Type != Contract.AlertType.GracePeriodLow)
        {
            problems.Add(new("type", "Only ALERT_TYPE_GRACE_PERIOD_LOW comes from a gateway; the license server raises the others itself."));
        }

        if (string.IsNullOrWhiteSpace(request.SessionHostId))
        {
            problems.Add(new("session_host_id", "Required: the session host the alert is about."));
        }
        else if (InputRules.Text(request.SessionHostId, Grpc.LicenseServerService.MaxTextLength) is { } text)
        {
            problems.Add(new("session_host_id", text));
        }

        if (request.GraceDaysLeft < 0 || request.GraceDaysLeft > GracePeriodAlertRules.MaxThresholdDays)
        {
            problems.Add(new("grace_days_left", $"Give the whole days of grace left, 0 to {GracePeriodAlertRules.MaxThresholdDays}."));
        }

        var endsAt = Time(problems, "grace_ends_at", request.GraceEndsAt, "Give when the host's grace period ends.");
        var raisedAt = Time(problems, "raised_at", request.RaisedAt, "Give when the gateway raised the alert.");
        return problems.Count > 0
            ? Problem.Invalid("The gateway alert cannot be recorded.", problems)
            : new GatewayAlert(alertId, request.SessionHostId.Trim(), request.GraceDaysLeft, endsAt, raisedAt);
    }

    /// <summary>
    /// Raises the alert unless its id was recorded before, here or on another replica; true when it was raised now. The id
    /// is claimed in the alert's own transaction (<see cref="AlertRaiser.RaiseAsync(RaisedAlert, AlertClaim?, CancellationToken)"/>),
    /// so the same id handed to several replicas at once, or retried while the first call runs, is recorded once.
    /// </summary>
    public async Task<bool> RecordAsync(GatewayAlert alert, CancellationToken cancellationToken)
    {
        var key = KeyPrefix + alert.AlertId;
        if (states.Exists(key))
        {
            // A retry of a recorded alert is answered from a read, without a write.
            return false;
        }

        var detail = GracePeriodAlertRules.Describe(alert.SessionHostId, alert.GraceDaysLeft, alert.GraceEndsAt);
        return await raiser.RaiseAsync(new RaisedAlert(AlertKind.GracePeriodLow, alert.RaisedAt, detail, SessionHostId: alert.SessionHostId,
                GraceDaysLeft: alert.GraceDaysLeft, GraceEndsAt: alert.GraceEndsAt, AlertId: alert.AlertId),
            new AlertClaim(key, alert.SessionHostId, time.GetUtcNow()), cancellationToken);
    }

    private static DateTimeOffset Time(List<FieldViolation> problems, string field, Google.Protobuf.WellKnownTypes.Timestamp? value, string hint)
    {
        if (value is null)
        {
            problems.Add(new(field, $"Required. {hint}"));
            return default;
        }

        try
        {
            return value.ToDateTimeOffset();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentOutOfRangeException)
        {
            problems.Add(new(field, $"Not a valid time. {hint}"));
            return default;
        }
    }
}
