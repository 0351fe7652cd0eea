using Grpc.Core;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>GetAuditTrail with follow: the stored events, then each new one as it commits, until the caller stops it.</summary>
public sealed class AuditFollowTests : IAsyncLifetime
{
    /// <summary>How long a test waits for an event that should come; the wait ends as soon as it does.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    // The poll for other processes' commits is set to an hour: an event that arrives came through this process's commit signal.
    private readonly LicenseServerHost _host = new(new Dictionary<string, string?> { ["LicenseServer:AuditFollowPollInterval"] = "01:00:00" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task StoredEventsComeFirstThenEachNewEventAsItCommits()
    {
        await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));
        await _host.Client.RequestLicenseAsync(Requests.Device("hw-2"));
        using var cancel = new CancellationTokenSource(Patience * 2);
        using var call = _host.Client.GetAuditTrail(new GetAuditTrailRequest { Follow = true }, cancellationToken: cancel.Token);

        var stored = new[] { await NextAsync(call), await NextAsync(call) };
        var pending = NextAsync(call);
        await Task.Delay(200);
        Assert.False(pending.IsCompleted, "The followed stream sent an event before any was written.");
        await _host.Client.RequestLicenseAsync(Requests.Device("hw-3"));
        var live = await pending;
        await _host.Client.RequestLicenseAsync(Requests.Device("hw-4"));
        var next = await NextAsync(call);

        Assert.Equal(["hw-1", "hw-2", "hw-3", "hw-4"], stored.Append(live).Append(next).Select(e => e.Subject));
        Assert.True(live.Sequence > stored[1].Sequence && next.Sequence > live.Sequence);
    }

    [Fact]
    public async Task AFollowedStreamKeepsItsTypeFilterAndEndsAtItsLimit()
    {
        await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));
        using var call = _host.Client.GetAuditTrail(new GetAuditTrailRequest
        {
            Follow = true,
            Limit = 2,
            Types_ = { AuditEventType.LicenseIssued },
        }, deadline: DateTime.UtcNow + Patience);

        var first = await NextAsync(call);
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode()));
        await _host.Client.RequestLicenseAsync(Requests.Device("hw-2"));
        var second = await NextAsync(call);

        Assert.Equal(["hw-1", "hw-2"], new[] { first.Subject, second.Subject });
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None), "A followed stream with a limit went on after it.");
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task AFollowedStreamEndsAtTheCallersDeadline()
    {
        await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));
        using var call = _host.Client.GetAuditTrail(new GetAuditTrailRequest { Follow = true }, deadline: DateTime.UtcNow.AddSeconds(2));

        Assert.Equal("hw-1", (await NextAsync(call)).Subject);
        var ended = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        // The client's deadline and the server's (the same instant, sent as grpc-timeout) race: when the server's wins, the
        // in-memory test server surfaces its reset of the stream as Unavailable; over a socket the trailers say DeadlineExceeded.
        Assert.Contains(ended.StatusCode, new[] { StatusCode.DeadlineExceeded, StatusCode.Unavailable });
    }

    [Fact]
    public async Task AFollowedStreamEndsWhenTheCallerCancelsAndTheServerStillAnswers()
    {
        using var cancel = new CancellationTokenSource();
        using var call = _host.Client.GetAuditTrail(new GetAuditTrailRequest { Follow = true }, cancellationToken: cancel.Token);
        var pending = call.ResponseStream.MoveNext(CancellationToken.None);

        await cancel.CancelAsync();
        var ended = await Assert.ThrowsAsync<RpcException>(() => pending);

        Assert.Equal(StatusCode.Cancelled, ended.StatusCode);
        Assert.Equal("hw-9", (await _host.Client.RequestLicenseAsync(Requests.Device("hw-9"))).License.Subject);
    }

    [Fact]
    public async Task WithoutFollowTheStreamEndsAfterTheStoredEvents()
    {
        await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));

        var events = await _host.Client.GetAuditTrail(new GetAuditTrailRequest(), deadline: DateTime.UtcNow + Patience).ToListAsync();

        Assert.Equal("hw-1", Assert.Single(events).Subject);
    }

    private static async Task<AuditEvent> NextAsync(AsyncServerStreamingCall<AuditEvent> call)
    {
        using var timeout = new CancellationTokenSource(Patience);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token), "The followed stream ended before the expected event.");
        return call.ResponseStream.Current;
    }
}
