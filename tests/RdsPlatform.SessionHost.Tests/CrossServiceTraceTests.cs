using RdsPlatform.Testing;
using System.Collections;
using System.Diagnostics;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.SessionHost.Grpc;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>
/// The telemetry of one call crosses services: both services run on real Kestrel sockets with the service
/// defaults' OpenTelemetry setup, so the trace context can only arrive at the license server through the
/// gateway's outgoing gRPC call, as in production.
/// </summary>
public sealed class CrossServiceTraceTests : IAsyncLifetime
{
    private readonly ServiceFarm _services = new("rds-trace-tests", onKestrel: true);
    private readonly SpanCollection _spans = new();

    [Fact]
    public async Task AConnectThatReachesTheLicenseServerIsOneTraceWithSpansFromBothServices()
    {
        var licenseServer = StartTraced<LicenseServerService>("license-server");
        var gateway = StartTraced<SessionHostGatewayService>("session-host", ("LicenseServers:license-server", licenseServer.Address.ToString())).Address;
        using var channel = GrpcChannel.ForAddress(gateway);
        var client = new SessionHostGateway.SessionHostGatewayClient(channel.WithRoleKeys(typeof(SessionHostGatewayService)));
        await ConfigurePerDeviceAsync(client, "rdsh-trace");

        var reply = await client.ConnectAsync(new ConnectRequest
        {
            HostId = "rdsh-trace",
            Device = new Device { HardwareId = "trace-device-1", ComputerName = "PC-TRACE" },
            User = new User { Domain = "CONTOSO", Name = "tracer" },
        }, deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.Equal(ReasonCode.TemporaryCalIssued, reply.Reason);
        var connect = await WaitForServerSpanAsync("/rds.sessionhost.v1.SessionHostGateway/Connect");
        var request = await WaitForServerSpanAsync("/rds.licensing.v1.LicenseServer/RequestLicense", connect.TraceId);
        Assert.Equal(connect.TraceId, request.TraceId);
        Assert.NotEqual(default, request.ParentSpanId);
        Assert.Contains(_spans.Snapshot(), span => span.Kind == ActivityKind.Client && span.SpanId == request.ParentSpanId);
    }

    [Fact]
    public async Task TheRevocationFeedsPollsAreNotTracedOnEitherSide()
    {
        var licenseServer = StartTraced<LicenseServerService>("license-server");
        var gatewayHost = StartTraced<SessionHostGatewayService>("session-host", ("LicenseServers:license-server", licenseServer.Address.ToString()));
        var gateway = gatewayHost.Address;
        var feed = gatewayHost.Services.GetRequiredService<RdsPlatform.SessionHost.Connections.RevocationFeed>();
        using var channel = GrpcChannel.ForAddress(gateway);
        var client = new SessionHostGateway.SessionHostGatewayClient(channel.WithRoleKeys(typeof(SessionHostGatewayService)));
        await ConfigurePerDeviceAsync(client, "rdsh-quiet");

        // The background loop polls on its own as well; these polls are certain to have reached the license server.
        for (var i = 0; i < 3; i++)
        {
            await feed.PollAsync(CancellationToken.None);
        }

        // A traced call after the polls: once its spans are exported, the polls' would have been too.
        await client.ConnectAsync(new ConnectRequest
        {
            HostId = "rdsh-quiet",
            Device = new Device { HardwareId = "quiet-device", ComputerName = "PC-QUIET" },
            User = new User { Domain = "CONTOSO", Name = "quiet" },
        }, deadline: DateTime.UtcNow.AddSeconds(30));
        var connect = await WaitForServerSpanAsync("/rds.sessionhost.v1.SessionHostGateway/Connect");
        await WaitForServerSpanAsync("/rds.licensing.v1.LicenseServer/RequestLicense", connect.TraceId);

        Assert.DoesNotContain(_spans.Snapshot(), span => span.DisplayName.Contains("GetAuditTrail", StringComparison.Ordinal)
            || (span.GetTagItem("url.path") as string)?.Contains("GetAuditTrail", StringComparison.Ordinal) == true
            || (span.GetTagItem("url.full") as string)?.Contains("GetAuditTrail", StringComparison.Ordinal) == true);
    }

    /// <summary>
    /// With no OTLP endpoint and no sampler chosen no span would leave the process, so none is recorded: the hot calls do
    /// not build activities for nothing. (Activity listeners are process-wide: this class's other tests sample everything,
    /// and xunit runs a class's tests one after another, each with its own services.)
    /// </summary>
    [Fact]
    public async Task WithNowhereToSendSpansAServiceRecordsNone()
    {
        var gateway = _services.Start<SessionHostGatewayService>("session-host", setup => ExportSpansHere(setup));
        await ListSessionHostsAsync(gateway.Address);

        Assert.False(SpansAreRecorded(), "A span of this service was recorded though nothing would receive it.");
        Assert.Empty(_spans.Snapshot());
    }

    [Fact]
    public async Task WithAnOtlpEndpointEveryCallIsTraced()
    {
        var gateway = _services.Start<SessionHostGatewayService>("session-host", setup =>
            ExportSpansHere(setup.Set("OTEL_EXPORTER_OTLP_ENDPOINT", $"http://127.0.0.1:{KestrelHosting.FreePort()}")));

        await ListSessionHostsAsync(gateway.Address);

        await WaitForServerSpanAsync("/rds.sessionhost.v1.SessionHostGateway/ListSessionHosts");
        Assert.True(SpansAreRecorded(), "A span of this service was not recorded though an OTLP endpoint is set.");
    }

    /// <summary>
    /// Whether an activity of an RdsPlatform source started now is recorded (timed, tagged, exported). Not recorded, it is
    /// at most a propagation-only activity, which still carries the trace id into logs.
    /// </summary>
    private static bool SpansAreRecorded()
    {
        using var probe = new ActivitySource($"{Microsoft.Extensions.Hosting.ServiceDefaultsExtensions.TelemetryPrefix}.SamplingProbe");
        using var activity = probe.StartActivity("probe");
        return activity is { IsAllDataRequested: true };
    }

    private static async Task ListSessionHostsAsync(Uri gateway)
    {
        using var channel = GrpcChannel.ForAddress(gateway);
        var client = new SessionHostGateway.SessionHostGatewayClient(channel.WithRoleKeys(typeof(SessionHostGatewayService)));
        await client.ListSessionHostsAsync(new ListSessionHostsRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
    }

    private static async Task ConfigurePerDeviceAsync(SessionHostGateway.SessionHostGatewayClient client, string hostId) =>
        await client.ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = hostId,
            Version = ProductVersion._2022,
            LicensingMode = LicensingMode.PerDevice,
            LicenseServers = { "license-server" },
        }, deadline: DateTime.UtcNow.AddSeconds(30));

    private async Task<Activity> WaitForServerSpanAsync(string path, ActivityTraceId? traceId = null)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var span = _spans.Snapshot().FirstOrDefault(s => s.Kind == ActivityKind.Server
                && (s.GetTagItem("url.path") as string) == path
                && (traceId is null || s.TraceId == traceId));
            if (span is not null)
            {
                return span;
            }

            await Task.Delay(50);
        }

        var seen = string.Join(", ", _spans.Snapshot().Select(s => $"{s.Kind} {s.DisplayName} {s.GetTagItem("url.path")} {s.TraceId}"));
        throw new Xunit.Sdk.XunitException($"No server span for {path}. Spans seen: {seen}");
    }

    /// <summary>A service on real sockets whose spans go to this test's collection.</summary>
    private ServiceHost<T> StartTraced<T>(string name, params (string Key, string Value)[] settings) where T : class =>
        _services.Start<T>(name, setup =>
        {
            foreach (var (key, value) in settings)
            {
                setup.Set(key, value);
            }

            // The spans' destination is the test's own exporter, not an OTLP endpoint: sampled as an operator would ask.
            ExportSpansHere(setup.Set("OTEL_TRACES_SAMPLER", "always_on"));
        });

    /// <summary>The service's recorded spans also go to this test's collection.</summary>
    private void ExportSpansHere(ServiceSetup setup) =>
        setup.TestServices.Add(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans)));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _services.DisposeAsync();

    /// <summary>The exporters of both services add from their own threads.</summary>
    private sealed class SpanCollection : ICollection<Activity>
    {
        private readonly List<Activity> _items = [];

        public int Count { get { lock (_items) { return _items.Count; } } }

        public bool IsReadOnly => false;

        public void Add(Activity item) { lock (_items) { _items.Add(item); } }

        public void Clear() { lock (_items) { _items.Clear(); } }

        public bool Contains(Activity item) { lock (_items) { return _items.Contains(item); } }

        public void CopyTo(Activity[] array, int arrayIndex) { lock (_items) { _items.CopyTo(array, arrayIndex); } }

        public bool Remove(Activity item) { lock (_items) { return _items.Remove(item); } }

        public List<Activity> Snapshot() { lock (_items) { return [.. _items]; } }

        public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
