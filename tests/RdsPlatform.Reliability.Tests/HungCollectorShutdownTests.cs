using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;
using Xunit.Abstractions;

namespace RdsPlatform.Reliability.Tests;

/// <summary>
/// Every service exits within 5 s of SIGTERM after real traffic while its OTLP endpoint is a collector that accepts
/// connections and never answers, and what it acknowledged is there after a restart.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class HungCollectorShutdownTests(GarnetFixture cache, ITestOutputHelper output)
{
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task EveryServiceExitsWithinFiveSecondsOfSigtermWithAHungCollectorAndKeepsWhatItAcknowledged()
    {
        using var collector = new HungCollector();
        var telemetry = ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.Endpoint);
        await using var farm = await ProcessFarm.StartAsync(cache, "hung-otlp", telemetry);
        var gateway = await farm.StartGatewayAsync(telemetry);
        var reporting = await farm.StartReportingAsync(telemetry);
        await farm.ActivateAsync();
        var pack = await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, 100);
        await ProcessFarm.ConfigureAsync(gateway, "rdsh-otlp");
        for (var i = 0; i < 3; i++)
        {
            await ProcessFarm.PermanentDeviceAsync(gateway, "rdsh-otlp", $"otlp-device-{i}");
        }

        var reporter = new Reporting.ReportingClient(reporting.Channel.Authorized(TestKeys.Reporter));
        var report = (await reporter.GenerateReportAsync(new GenerateReportRequest { Kind = ReportKind.PerDevice })).Report;
        // The exporters send on their schedule (batches every 5 s): wait until each of the three processes has connected,
        // else a fast run would stop the services before any export had started, and prove nothing.
        await Poll.UntilAsync(() => Task.FromResult(collector.Connections >= 3), TimeSpan.FromSeconds(30),
            "each service connected to the hung collector", () => $"{collector.Connections} connections");

        var gatewayStop = await StopAsync(gateway);
        var reportingStop = await StopAsync(reporting);

        // The license server is stopped in the middle of issuances: its group commit drains and every answered call is kept.
        var ledger = new Ledger();
        var licenseServerStop = (TimeSpan.Zero, -1);
        await ledger.RunWithFaultAsync(8,
            worker => ledger.RunIssuanceWorkerAsync(farm.LicenseHost, $"otlp-w{worker}", devices: 20, CancellationToken.None),
            faultAfterResponses: 60,
            fault: async () => licenseServerStop = await StopAsync(farm.LicenseServer));

        output.WriteLine($"Exit after SIGTERM with a hung collector ({collector.Connections} connections): gateway {gatewayStop.Elapsed.TotalMilliseconds:0} ms, "
            + $"reporting {reportingStop.Elapsed.TotalMilliseconds:0} ms, license server under load {licenseServerStop.Item1.TotalMilliseconds:0} ms.");
        Assert.All(new[] { gatewayStop, reportingStop, licenseServerStop }, stop =>
        {
            Assert.Equal(0, stop.Item2);
            Assert.InRange(stop.Item1, TimeSpan.Zero, StopBound);
        });

        await farm.LicenseServer.StartAsync();
        await StoreConsistency.AssertConsistentAsync(farm, ledger, pack);
        await reporting.StartAsync();
        var reports = await reporter.ListReportsAsync(new ListReportsRequest());
        Assert.Contains(reports.Reports, r => r.ReportId == report.ReportId);
        await gateway.StartAsync();
        var host = await ProcessFarm.GatewayAdmin(gateway).GetSessionHostAsync(new GetSessionHostRequest { HostId = "rdsh-otlp" });
        Assert.Equal(LicensingMode.PerDevice, host.Host.LicensingMode);
    }

    private static async Task<(TimeSpan Elapsed, int ExitCode)> StopAsync(ServiceProcess service)
    {
        var stopwatch = Stopwatch.StartNew();
        var exitCode = await service.TerminateAsync(TimeSpan.FromSeconds(60));
        return (stopwatch.Elapsed, exitCode);
    }

    /// <summary>An OTLP endpoint that accepts every connection and never sends a byte, as a hung collector does.</summary>
    private sealed class HungCollector : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _accepted = [];
        private readonly CancellationTokenSource _stop = new();
        private int _connections;

        public HungCollector()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public int Connections => Volatile.Read(ref _connections);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_accepted)
            {
                foreach (var socket in _accepted)
                {
                    socket.Dispose();
                }
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var socket = await _listener.AcceptSocketAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    lock (_accepted)
                    {
                        _accepted.Add(socket);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped with the test.
            }
        }
    }
}
