using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Grpc.Core;
using Grpc.Health.V1;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.ServiceDefaults;
using Xunit.Abstractions;

namespace RdsPlatform.AppHost.Tests;

/// <summary>
/// After real traffic, the app model's stop and start commands (the dashboard's Stop and Start buttons) stop each
/// service and bring it back healthy with its data. Nothing answers the OTLP endpoint the test builder sets, so this
/// is also a stop with a silent collector.
/// </summary>
[Collection(TopologyCollection.Name)]
public sealed class ServiceLifecycleTests(TopologyFixture topology, ITestOutputHelper output)
{
    private const string HostId = "rdsh-lifecycle";
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    // A service exits within 5 s of being asked; the orchestrator adds its own notice and polling on top. Before the
    // telemetry flush had a deadline a stop took 10-17 s here, and the dashboard reported "Failed to stop resource".
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(10);

    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task EveryServiceStopsAndStartsAgainHealthyThroughTheAppModelAfterTraffic()
    {
        var gateway = new SessionHostGateway.SessionHostGatewayClient(topology.Invoker(ResourceNames.SessionHost, TestKeys.Admin));
        var client = new SessionHostGateway.SessionHostGatewayClient(topology.Invoker(ResourceNames.SessionHost, TestKeys.Client));
        var reporter = new Reporting.ReportingClient(topology.Invoker(ResourceNames.Reporting, TestKeys.Reporter));
        var licenses = new LicenseServer.LicenseServerClient(topology.Invoker(ResourceNames.LicenseServer, TestKeys.Admin));
        await gateway.ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = HostId, Version = ProductVersion._2022, LicensingMode = LicensingMode.PerDevice, LicenseServers = { ResourceNames.LicenseServer },
        }, deadline: Deadline);
        var connected = await client.ConnectAsync(new ConnectRequest
        {
            HostId = HostId, Device = new Device { HardwareId = "lifecycle-device", ComputerName = "PC-LIFECYCLE" }, User = new User { Domain = "CONTOSO", Name = "life" },
        }, deadline: Deadline);
        var report = (await reporter.GenerateReportAsync(new GenerateReportRequest { Kind = ReportKind.PerDevice }, deadline: Deadline)).Report;
        Assert.Equal(ReasonCode.TemporaryCalIssued, connected.Reason);

        var stops = new List<string>();
        foreach (var service in new[] { ResourceNames.SessionHost, ResourceNames.Reporting, ResourceNames.LicenseServer })
        {
            stops.Add($"{service} {(await StopAndStartAsync(service)).TotalMilliseconds:0} ms");
        }

        output.WriteLine("Stop command until stopped: " + string.Join(", ", stops));
        var host = await UntilListening.RetryAsync(() => gateway.GetSessionHostAsync(new GetSessionHostRequest { HostId = HostId }, deadline: Deadline).ResponseAsync);
        Assert.Equal(LicensingMode.PerDevice, host.Host.LicensingMode);
        var reports = await UntilListening.RetryAsync(() => reporter.ListReportsAsync(new ListReportsRequest(), deadline: Deadline).ResponseAsync);
        Assert.Contains(reports.Reports, r => r.ReportId == report.ReportId);
        var issued = await UntilListening.RetryAsync(async () =>
        {
            using var call = licenses.ListIssuedLicenses(new ListIssuedLicensesRequest { Subject = "lifecycle-device" }, deadline: Deadline);
            return await call.ResponseStream.ReadAllAsync().ToListAsync();
        });
        Assert.Equal("lifecycle-device", Assert.Single(issued).Subject);
    }

    /// <summary>Stops the service with the stop command and starts it with the start command; returns how long the stop took.</summary>
    private async Task<TimeSpan> StopAndStartAsync(string service)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var stopwatch = Stopwatch.StartNew();
        var stopped = await topology.App.ResourceCommands.ExecuteCommandAsync(service, KnownResourceCommands.StopCommand, timeout.Token);
        Assert.True(stopped.Success, $"Stopping {service} failed: {stopped.Message}");
        await topology.App.ResourceNotifications.WaitForResourceAsync(service, KnownResourceStates.TerminalStates, timeout.Token);
        var stopTook = stopwatch.Elapsed;
        Assert.True(stopTook < StopBound, $"Stopping {service} took {stopTook.TotalSeconds:0.0} s.");

        var started = await topology.App.ResourceCommands.ExecuteCommandAsync(service, KnownResourceCommands.StartCommand, timeout.Token);
        Assert.True(started.Success, $"Starting {service} failed: {started.Message}");
        await topology.App.ResourceNotifications.WaitForResourceHealthyAsync(service, timeout.Token);
        var health = await UntilListening.RetryAsync(() => new Health.HealthClient(topology.Channel(service)).CheckAsync(new HealthCheckRequest(), deadline: Deadline).ResponseAsync);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        return stopTook;
    }
}
