using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Testing;
using Xunit.Abstractions;

namespace RdsPlatform.Reliability.Tests;

/// <summary>kill -9 of a license server on PostgreSQL in the middle of issuance from several callers loses nothing a caller was told.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class LicenseServerOnPostgresCrashTests(GarnetFixture cache, ITestOutputHelper output)
{
    private const int PackSize = 100;

    [Fact]
    public async Task EveryCalAcknowledgedBeforeAKillNineIsInPostgresAfterTheRestart()
    {
        const int workers = 8;
        var connectionString = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("lskill");
        await using var farm = await ProcessFarm.StartAsync(cache, "ls-pg-kill",
            ("Storage__Provider", "Postgres"), ("ConnectionStrings__licensing", connectionString));
        await farm.ActivateAsync();
        var pack = await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, PackSize);
        var identityBefore = (await farm.LicenseAdmin.GetServerInfoAsync(new GetServerInfoRequest())).Server;

        var ledger = new Ledger();
        var stoppedAfter = await ledger.RunWithFaultAsync(workers,
            worker => ledger.RunIssuanceWorkerAsync(farm.LicenseHost, $"pg-w{worker}", devices: 25, CancellationToken.None),
            faultAfterResponses: 90,
            fault: () => { farm.LicenseServer.Kill(); return Task.CompletedTask; });
        var responsesReceived = ledger.Responses;
        Assert.All(ledger.Failures, status => Assert.Equal(StatusCode.Unavailable, status));
        await farm.LicenseServer.StartAsync();

        var summary = await StoreConsistency.AssertConsistentAsync(farm, ledger, pack);
        var identityAfter = (await farm.LicenseAdmin.GetServerInfoAsync(new GetServerInfoRequest())).Server;
        Assert.Equal((identityBefore.ServerId, identityBefore.PublicKey), (identityAfter.ServerId, identityAfter.PublicKey));

        output.WriteLine($"License server on PostgreSQL; load: {workers} session hosts adding new devices (request, validate, upgrade); pack of {PackSize}.");
        output.WriteLine($"kill -9 once 90 responses had arrived; {responsesReceived} received in total; workers stopped {stoppedAfter.TotalMilliseconds:0} ms after the kill; failed calls: {ledger.Failures.Count}.");
        output.WriteLine($"After restart: {summary}.");
    }
}
