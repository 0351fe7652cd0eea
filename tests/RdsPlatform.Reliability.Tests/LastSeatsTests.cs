using System.Collections.Concurrent;
using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;
using Xunit.Abstractions;

namespace RdsPlatform.Reliability.Tests;

/// <summary>Hundreds of devices racing for the last seats of a pack through both doors (license server and gateway) get exactly the seats there are.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class LastSeatsTests(GarnetFixture cache, ITestOutputHelper output)
{
    private const int PackSize = 10;
    private const int DevicesPerDoor = 150;

    [Fact]
    public async Task ThreeHundredValidatedDevicesUpgradingAtOnceGetExactlyTenPermanentCals()
    {
        await using var farm = await ProcessFarm.StartAsync(cache, "last-seats");
        var gateway = await farm.StartGatewayAsync(("Gateway__LicenseServerTimeout", "00:00:30"));
        await ProcessFarm.ConfigureAsync(gateway, "rdsh-1");
        await farm.ActivateAsync();
        var pack = await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, PackSize);
        var client = ProcessFarm.GatewayClient(gateway, TimeSpan.FromSeconds(60));

        // 150 devices validated directly at the license server, 150 through the gateway (connect, sign in).
        var direct = new ConcurrentDictionary<int, RequestLicenseRequest>();
        var throughGateway = new ConcurrentDictionary<int, ConnectRequest>();
        await Parallel.ForEachAsync(Enumerable.Range(0, DevicesPerDoor), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (n, ct) =>
        {
            var request = new RequestLicenseRequest
            {
                SessionHostId = "rdsh-1", SessionHostVersion = ProductVersion._2022, CalType = CalType.PerDevice, HardwareId = $"ls-{n:D3}", ComputerName = $"PC-ls-{n:D3}",
            };
            var temporary = await farm.LicenseHost.RequestLicenseAsync(request, cancellationToken: ct);
            await farm.LicenseHost.MarkLicenseValidatedAsync(new MarkLicenseValidatedRequest { LicenseId = temporary.License.LicenseId, SessionHostId = "rdsh-1" }, cancellationToken: ct);
            direct[n] = request;

            var connected = await client.ConnectAsync(ProcessFarm.Device("rdsh-1", $"gw-{n:D3}"), cancellationToken: ct);
            Assert.Equal(ReasonCode.TemporaryCalIssued, connected.Reason);
            await client.SignInAsync(new SignInRequest { SessionId = connected.SessionId }, cancellationToken: ct);
            throughGateway[n] = ProcessFarm.Device("rdsh-1", $"gw-{n:D3}", connected.Certificate);
        });

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failures = new ConcurrentQueue<StatusCode>();
        var reasons = new ConcurrentQueue<(string Door, ReasonCode Reason, bool Admitted)>();
        var viaLicenseServer = direct.Values.Select(async request =>
        {
            await start.Task;
            try
            {
                var response = await farm.LicenseHost.RequestLicenseAsync(request, deadline: DateTime.UtcNow.AddSeconds(60));
                reasons.Enqueue(("license-server", response.Reason, true));
            }
            catch (RpcException ex)
            {
                failures.Enqueue(ex.StatusCode);
            }
        });
        var viaGateway = throughGateway.Values.Select(async request =>
        {
            await start.Task;
            try
            {
                var response = await client.ConnectAsync(request);
                reasons.Enqueue(("gateway", response.Reason, response.Admitted));
            }
            catch (RpcException ex)
            {
                failures.Enqueue(ex.StatusCode);
            }
        });
        // Interleaved, so neither door is queued behind the other.
        var calls = viaGateway.Zip(viaLicenseServer, (a, b) => new[] { a, b }).SelectMany(pair => pair).ToList();
        start.SetResult();
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Empty(failures);
        Assert.Equal(PackSize, reasons.Count(r => r.Reason == ReasonCode.CalUpgraded));
        Assert.All(reasons.Where(r => r.Door == "gateway"), r => Assert.True(r.Admitted, $"A device with a valid temporary CAL was refused: {r.Reason}."));
        var permanent = await farm.IssuedAsync(new ListIssuedLicensesRequest { Status = CalStatus.Permanent });
        Assert.Equal(PackSize, permanent.Count);
        var packAfter = (await farm.LicenseAdmin.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks.Single(p => p.KeyPackId == pack.KeyPackId);
        Assert.Equal(PackSize, packAfter.Issued);
        Assert.Equal(0, packAfter.Available);
        var all = await farm.IssuedAsync();
        Assert.Equal(2 * DevicesPerDoor, all.Count);

        output.WriteLine($"Pack of {PackSize}; {2 * DevicesPerDoor} validated temporary CALs asking at once ({DevicesPerDoor} RequestLicense at the license server, {DevicesPerDoor} Connect at the gateway).");
        output.WriteLine($"Failures: {failures.Count}. Answers: {string.Join(", ", reasons.GroupBy(r => $"{r.Door}:{r.Reason}").OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}"))}.");
        output.WriteLine($"Permanent CALs stored: {permanent.Count}; pack issued {packAfter.Issued}/{packAfter.Total}, available {packAfter.Available}; CALs in total {all.Count}.");
    }
}
