using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>RecordGatewayAlert: an alert a gateway raised is audited at the time it was raised, once per alert id.</summary>
public sealed class GatewayAlertTests : IAsyncLifetime
{
    private static readonly DateTimeOffset RaisedAt = new(2025, 5, 1, 9, 30, 0, TimeSpan.Zero);
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AGatewayAlertIsAuditedAtTheTimeItWasRaisedAndRecordedOnceAcrossRetriesAndRestarts()
    {
        var request = Request(Guid.NewGuid());

        var first = await _host.Client.RecordGatewayAlertAsync(request);
        var retry = await _host.Client.RecordGatewayAlertAsync(request);
        await _host.RestartAsync();
        var afterRestart = await _host.Client.RecordGatewayAlertAsync(request);

        Assert.True(first.Recorded);
        Assert.False(retry.Recorded);
        Assert.False(afterRestart.Recorded);
        var audit = Assert.Single(await _host.Client.GetAuditTrail(new GetAuditTrailRequest { Types_ = { AuditEventType.AlertRaised } }).ToListAsync());
        Assert.Equal("rdsh-7", audit.SessionHostId);
        Assert.Equal(RaisedAt, audit.OccurredAt.ToDateTimeOffset());
        Assert.Contains("rdsh-7 has 9 day(s)", audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGatewayAlertOfAnotherTypeWithoutAHostOrTimesIsRefusedAndNothingIsAudited()
    {
        var refused = await Requests.RefusedAsync(() => _host.Client.RecordGatewayAlertAsync(new RecordGatewayAlertRequest
        {
            AlertId = "not-a-uuid",
            Type = AlertType.PoolNone,
            GraceDaysLeft = 121,
        }));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(["alert_id", "type", "session_host_id", "grace_days_left", "grace_ends_at", "raised_at"], refused.ViolatedFields());
        Assert.Empty(await _host.Client.GetAuditTrail(new GetAuditTrailRequest { Types_ = { AuditEventType.AlertRaised } }).ToListAsync());
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static RecordGatewayAlertRequest Request(Guid id) => Requests.GatewayAlert(id, "rdsh-7", RaisedAt);
}
