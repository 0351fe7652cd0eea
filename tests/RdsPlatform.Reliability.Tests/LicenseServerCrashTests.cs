using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Testing;
using Xunit.Abstractions;

namespace RdsPlatform.Reliability.Tests;

/// <summary>kill -9 and SIGTERM of the license server in the middle of a stream of issuances lose nothing a caller was told.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class LicenseServerCrashTests(GarnetFixture cache, ITestOutputHelper output)
{
    private const int PackSize = 100;

    [Fact]
    public async Task EveryAcknowledgedCalSurvivesAKillNineOfTheLicenseServer()
    {
        const int workers = 8;
        await using var farm = await ProcessFarm.StartAsync(cache, "ls-kill");
        await farm.ActivateAsync();
        var pack = await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, PackSize);
        var identityBefore = (await farm.LicenseAdmin.GetServerInfoAsync(new GetServerInfoRequest())).Server;

        var ledger = new Ledger();
        var stoppedAfter = await ledger.RunWithFaultAsync(workers,
            worker => ledger.RunIssuanceWorkerAsync(farm.LicenseHost, $"crash-w{worker}", devices: 25, CancellationToken.None),
            faultAfterResponses: 90,
            fault: () => { farm.LicenseServer.Kill(); return Task.CompletedTask; });
        var responsesReceived = ledger.Responses;
        Assert.All(ledger.Failures, status => Assert.Equal(StatusCode.Unavailable, status));
        await farm.LicenseServer.StartAsync();

        var summary = await StoreConsistency.AssertConsistentAsync(farm, ledger, pack);
        var anonymous = await Assert.ThrowsAsync<RpcException>(() => new LicenseServer.LicenseServerClient(farm.LicenseServer.Channel).ListKeyPacksAsync(
            new ListKeyPacksRequest(), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        var identityAfter = (await farm.LicenseAdmin.GetServerInfoAsync(new GetServerInfoRequest())).Server;
        Assert.Equal(identityBefore.ServerId, identityAfter.ServerId);
        Assert.Equal(identityBefore.PublicKey, identityAfter.PublicKey);

        // A gateway that first meets the restarted server verifies certificates signed before the crash.
        var gateway = await farm.StartGatewayAsync();
        await ProcessFarm.ConfigureAsync(gateway, "rdsh-1");
        var oldCertificates = ledger.Acknowledged.Where(a => a.Status == CalStatus.Permanent && a.Certificate is not null).Take(10).ToList();
        Assert.NotEmpty(oldCertificates);
        foreach (var old in oldCertificates)
        {
            var response = await ProcessFarm.GatewayClient(gateway).ConnectAsync(ProcessFarm.Device("rdsh-1", old.Subject, old.Certificate));
            Assert.True(response.Admitted, response.ToString());
            Assert.Equal(ReasonCode.ValidCal, response.Reason);
        }

        output.WriteLine($"Load: {workers} session hosts adding new devices (request, validate, upgrade); pack of {PackSize}.");
        output.WriteLine($"kill -9 once 90 responses had arrived; {responsesReceived} received in total; all workers had stopped {stoppedAfter.TotalMilliseconds:0} ms after the kill; failed calls: {ledger.Failures.Count} ({string.Join(",", ledger.Failures.Distinct())}).");
        output.WriteLine($"After restart: {summary}.");
        output.WriteLine($"Certificates signed before the kill admitted VALID_CAL by a new gateway: {oldCertificates.Count}; server id and public key unchanged.");
    }

    [Fact]
    public async Task SigtermFinishesInFlightCallsAndLeavesAConsistentStore()
    {
        const int workers = 16;
        await using var farm = await ProcessFarm.StartAsync(cache, "ls-term");
        await farm.ActivateAsync();
        var pack = await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, PackSize);

        var ledger = new Ledger();
        var responsesAtSignal = 0;
        var exitCode = -1;
        var stoppedAfter = await ledger.RunWithFaultAsync(workers,
            worker => ledger.RunIssuanceWorkerAsync(farm.LicenseHost, $"term-w{worker}", devices: 25, CancellationToken.None),
            faultAfterResponses: 90,
            fault: async () =>
            {
                responsesAtSignal = ledger.Responses;
                exitCode = await farm.LicenseServer.TerminateAsync(TimeSpan.FromSeconds(45));
            });

        // Calls that arrived after shutdown began are refused cleanly; nothing fails half-way.
        Assert.All(ledger.Failures, status => Assert.Equal(StatusCode.Unavailable, status));
        Assert.Equal(0, exitCode);
        await farm.LicenseServer.StartAsync();
        var summary = await StoreConsistency.AssertConsistentAsync(farm, ledger, pack);

        output.WriteLine($"Load: {workers} session hosts adding new devices (request, validate, upgrade); pack of {PackSize}.");
        output.WriteLine($"SIGTERM at {responsesAtSignal} responses; {ledger.Responses - responsesAtSignal} responses arrived after the signal; exit code {exitCode}; process gone and workers stopped {stoppedAfter.TotalMilliseconds:0} ms after the signal.");
        output.WriteLine($"Failed calls: {ledger.Failures.Count} ({string.Join(",", ledger.Failures.Distinct())}).");
        output.WriteLine($"After restart: {summary}.");
    }
}
