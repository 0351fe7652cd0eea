using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.Reliability.Tests;

/// <summary>R12 under kill -9: every not-tracked admission the gateway answered reaches the license server's audit trail.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class NotTrackedCrashTests(GarnetFixture cache)
{
    [Fact]
    public async Task EveryAnsweredNotTrackedAdmissionReachesTheAuditTrailAfterTheGatewayIsKilled()
    {
        await using var farm = await ProcessFarm.StartAsync(cache, "not-tracked-kill");
        var gateway = await farm.StartGatewayAsync();
        await ProcessFarm.ConfigureAsync(gateway, "rdsh-u", LicensingMode.PerUser);
        // A hung license server: the gateway's delivery of the first admission waits out its deadline, and nothing can be
        // delivered, so what survives the kill is only what the gateway committed before answering.
        await farm.LicenseServer.FreezeAsync();
        var client = ProcessFarm.GatewayClient(gateway);
        var users = Enumerable.Range(0, 20).Select(i => $"kiosk-{i:D2}").ToList();
        var answers = new List<ConnectResponse>();
        foreach (var user in users)
        {
            answers.Add(await client.ConnectAsync(new ConnectRequest
            {
                HostId = "rdsh-u",
                Device = new Device { HardwareId = $"HW-{user}", ComputerName = $"PC-{user}" },
                User = new User { Domain = "", Name = user },
            }));
        }

        gateway.Kill();
        farm.LicenseServer.Kill();
        await farm.LicenseServer.StartAsync();
        await gateway.StartAsync();

        Assert.All(answers, a => Assert.Equal(ReasonCode.PerUserNotTracked, a.Reason));
        var audited = new HashSet<string>();
        await Poll.UntilAsync(async () =>
        {
            var events = await farm.AuditAsync(AuditEventType.IssuanceFailed);
            audited = events.Where(e => e.Reason == ReasonCode.PerUserNotTracked).Select(e => e.Subject).ToHashSet(StringComparer.OrdinalIgnoreCase);
            return users.All(u => audited.Any(s => s.EndsWith(u, StringComparison.OrdinalIgnoreCase)));
        }, TimeSpan.FromSeconds(30), "every admitted not-tracked user in the license server's audit trail",
            () => $"audited: {string.Join(", ", audited.Order())}");
    }
}
