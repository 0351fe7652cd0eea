using System.Diagnostics;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>
/// Pool judgments for alerts come at most once per <c>LicenseServer:AlertReadInterval</c>: a change right after a
/// judgment is judged when the interval is over, not lost and not before.
/// </summary>
public sealed class AlertReadIntervalTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly WebhookReceiver _receiver = new();
    private readonly LicenseServerHost _host = new(new Dictionary<string, string?> { ["LicenseServer:AlertReadInterval"] = Interval.ToString() });

    public Task InitializeAsync() => _receiver.StartAsync();

    [Fact]
    public async Task APoolThatRunsOutRightAfterAJudgmentIsAlertedOnceTheIntervalIsOver()
    {
        await _host.Client.CreateWebhookSubscriptionAsync(Requests.Webhook(_receiver.Url, "whsec-interval-0123456789", AlertType.PoolLimited, AlertType.PoolNone));
        await _host.Client.ActivateAsync();
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 10));
        for (var i = 0; i < 9; i++)
        {
            await _host.Client.PermanentDeviceAsync($"hw-interval-{i}");
        }

        // The judgment that found the pool Limited (1 of 10 free) has just run; the last CAL goes right after it.
        var limited = await _receiver.WaitForAsync(1);
        var sinceLimited = Stopwatch.StartNew();
        await _host.Client.PermanentDeviceAsync("hw-interval-last");
        var none = await _receiver.WaitForAsync(2);
        sinceLimited.Stop();

        Assert.Contains("Limited", limited.Body, StringComparison.Ordinal);
        Assert.Contains("no CAL left", none.Body, StringComparison.Ordinal);
        // Not before the interval since the Limited judgment (less the Limited alert's own delivery time), and not lost.
        Assert.True(sinceLimited.Elapsed >= Interval - TimeSpan.FromSeconds(1),
            $"The run-out was alerted {sinceLimited.Elapsed} after the previous judgment's alert arrived, within the {Interval} read interval.");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }
}
