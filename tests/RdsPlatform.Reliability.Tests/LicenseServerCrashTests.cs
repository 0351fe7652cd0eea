using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Testing;
using Xunit.Abstractions;

namespace RdsPlatform.Reliability.Tests;

/// <summary>kill -9 of the license server in the middle of a stream of issuances loses nothing that a caller was told.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class LicenseServerCrashTests(GarnetFixture cache, ITestOutputHelper output)
{
    private const int Workers = 8;
    private const int PackSize = 40;

    [Fact]
    public async Task EveryAcknowledgedCalSurvivesAKillNineOfTheLicenseServer()
    {
        await using var farm = await ProcessFarm.StartAsync(cache, "ls-kill");
        await farm.ActivateAsync();
        var pack = await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, PackSize);
        var identityBefore = (await farm.LicenseAdmin.GetServerInfoAsync(new GetServerInfoRequest())).Server;

        var ledger = new Ledger();
        var killedAfter = await ledger.RunWithFaultAsync(Workers,
            worker => ledger.RunIssuanceWorkerAsync(farm.LicenseHost, $"crash-w{worker}", devices: 25, CancellationToken.None),
            faultAfterResponses: 90,
            fault: () => { farm.LicenseServer.Kill(); return Task.CompletedTask; });
        Assert.All(ledger.Failures, status => Assert.Equal(StatusCode.Unavailable, status));
        await farm.LicenseServer.StartAsync();

        var stored = (await farm.IssuedAsync()).ToDictionary(l => l.LicenseId);
        var acknowledged = ledger.Acknowledged;
        foreach (var promise in acknowledged)
        {
            Assert.True(stored.TryGetValue(promise.LicenseId, out var license), $"CAL {promise.LicenseId} of {promise.Subject} was acknowledged but is gone.");
            Assert.Equal(promise.Subject, license.Subject);
            Assert.True(promise.Status != CalStatus.Permanent || license.Status == CalStatus.Permanent, $"{promise.Subject} was told permanent, store says {license.Status}.");
            Assert.True(!promise.Validated || license.Validated, $"{promise.Subject} was told validated, store says not.");
        }

        var issuedEvents = await farm.AuditAsync(AuditEventType.LicenseIssued);
        Assert.Equal(stored.Count, issuedEvents.Count);
        Assert.Equal(stored.Keys.Order(), issuedEvents.Select(e => e.LicenseId).Order());
        var upgradeEvents = await farm.AuditAsync(AuditEventType.LicenseUpgraded);
        var permanent = stored.Values.Where(l => l.Status == CalStatus.Permanent).ToList();
        Assert.Equal(permanent.Select(l => l.LicenseId).Order(), upgradeEvents.Select(e => e.LicenseId).Order());

        var packAfter = (await farm.LicenseAdmin.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks.Single(p => p.KeyPackId == pack.KeyPackId);
        Assert.InRange(packAfter.Issued, 0, PackSize);
        Assert.Equal(permanent.Count, packAfter.Issued);
        Assert.Equal(PackSize - permanent.Count, packAfter.Available);

        var identityAfter = (await farm.LicenseAdmin.GetServerInfoAsync(new GetServerInfoRequest())).Server;
        Assert.Equal(identityBefore.ServerId, identityAfter.ServerId);
        Assert.Equal(identityBefore.PublicKey, identityAfter.PublicKey);

        // A gateway that first meets the restarted server verifies certificates signed before the crash.
        var gateway = await farm.StartGatewayAsync();
        await ProcessFarm.ConfigureAsync(gateway, "rdsh-1");
        var oldCertificates = acknowledged.Where(a => a.Status == CalStatus.Permanent && a.Certificate is not null).Take(10).ToList();
        Assert.NotEmpty(oldCertificates);
        foreach (var old in oldCertificates)
        {
            var response = await ProcessFarm.GatewayClient(gateway).ConnectAsync(ProcessFarm.Device("rdsh-1", old.Subject, old.Certificate));
            Assert.True(response.Admitted, response.ToString());
            Assert.Equal(ReasonCode.ValidCal, response.Reason);
        }

        output.WriteLine($"Load: {Workers} session hosts, each new devices (request, validate, upgrade); pack of {PackSize}.");
        output.WriteLine($"kill -9 after {ledger.Responses} responses; workers stopped {killedAfter.TotalMilliseconds:0} ms later; failed calls: {ledger.Failures.Count} ({string.Join(",", ledger.Failures.Distinct())}).");
        output.WriteLine($"Acknowledged CALs: {acknowledged.Count} ({acknowledged.Count(a => a.Status == CalStatus.Permanent)} permanent); stored after restart: {stored.Count} ({permanent.Count} permanent); LICENSE_ISSUED events: {issuedEvents.Count}; LICENSE_UPGRADED: {upgradeEvents.Count}; pack issued {packAfter.Issued}/{packAfter.Total}.");
        output.WriteLine($"Old certificates admitted VALID_CAL by a new gateway: {oldCertificates.Count}.");
    }
}
