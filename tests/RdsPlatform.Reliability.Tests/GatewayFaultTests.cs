using System.Diagnostics;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;
using Xunit.Abstractions;

namespace RdsPlatform.Reliability.Tests;

/// <summary>The gateway under cache outages, license server outages, its own kill -9 and replication.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class GatewayFaultTests(GarnetFixture cache, ITestOutputHelper output)
{
    [Fact]
    public async Task CacheOutageDuringAConnectLoadCausesNoErrorAndItsReturnIsPickedUpWithoutARestart()
    {
        await using var farm = await ProcessFarm.StartAsync(cache, "cache-down");
        var first = await farm.StartGatewayAsync();
        // The second replica learns revocations only through the cache: its own tail of the audit trail is hourly.
        var second = await farm.StartGatewayAsync(("Gateway__RevocationPollInterval", "01:00:00"));
        await ProcessFarm.ConfigureAsync(first, "rdsh-1");
        await ProcessFarm.ConfigureAsync(second, "rdsh-1");
        // Past the grace period, so that no grace-period admission (R1) can hide how a revocation is honoured.
        await farm.AdvanceDaysAsync(121);
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, 20);
        var devices = new List<ConnectResponse>();
        for (var d = 0; d < 12; d++)
        {
            devices.Add(await ProcessFarm.PermanentDeviceAsync(first, "rdsh-1", $"dev-{d:D2}"));
        }

        var gateways = new[] { ProcessFarm.GatewayClient(first), ProcessFarm.GatewayClient(second) };
        // Devices 0 and 1 are revoked during the test; the load uses the others.
        var loaded = devices.Skip(2).ToList();
        var load = new ConnectLoad(TimeSpan.FromSeconds(5), pause: TimeSpan.FromMilliseconds(5));
        load.Start(8, (worker, i) =>
        {
            var device = loaded[(worker * 7 + i) % loaded.Count];
            return new PlannedConnect(gateways[(worker + i) % 2],
                ProcessFarm.Device("rdsh-1", device.CertificateDetails.Subject, device.Certificate), ReasonCode.ValidCal);
        });
        await load.ContinueForAsync(150);
        var beforeOutage = load.Calls;
        cache.Stop();
        var outage = Stopwatch.StartNew();
        // Revoked while the cache is down: the first replica learns it from the license server, the second only through the cache.
        await farm.LicenseAdmin.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = devices[0].CertificateDetails.LicenseId });
        // Long enough for both replicas' cache connections to fail, their timeouts to be paid and the first replica's audit tail to run.
        await load.ContinueForAsync(400, TimeSpan.FromSeconds(5));
        var duringOutage = load.Calls - beforeOutage;
        cache.Start();
        outage.Stop();
        var back = Stopwatch.StartNew();
        // Revoked at once after the cache came back, before the replicas have necessarily reconnected.
        await farm.LicenseAdmin.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = devices[1].CertificateDetails.LicenseId });
        await load.ContinueForAsync(150);
        await load.StopAsync();

        Assert.Empty(load.Errors);
        Assert.Empty(load.Unexpected);

        var honoured = await Task.WhenAll(new[] { (Gateway: 0, Device: 0), (Gateway: 1, Device: 0), (Gateway: 0, Device: 1), (Gateway: 1, Device: 1) }.Select(async probe =>
        {
            var revoked = devices[probe.Device];
            var request = ProcessFarm.Device("rdsh-1", revoked.CertificateDetails.Subject, revoked.Certificate);
            ConnectResponse? last = null;
            await Poll.UntilAsync(async () => ProcessFarm.HonoursRevocation(last = await gateways[probe.Gateway].ConnectAsync(request), revoked.CertificateDetails.LicenseId), TimeSpan.FromSeconds(20),
                $"Replica {probe.Gateway + 1} still admits the certificate of device {probe.Device}, revoked {(probe.Device == 0 ? "during" : "after")} the cache outage.",
                () => $"Last answer: {last}");
            return back.Elapsed;
        }));

        output.WriteLine($"Load: 8 workers, Connect with valid permanent certificates of 10 devices, alternating 2 gateway replicas, client deadline {load.Deadline.TotalSeconds:0} s.");
        output.WriteLine($"Calls: {load.Calls} in total, {duringOutage} while the cache was down ({outage.Elapsed.TotalSeconds:0.0} s); errors {load.Errors.Count}; answers {load.Reasons}; longest call {load.Longest.TotalMilliseconds:0} ms.");
        output.WriteLine($"Revoked during the outage: no longer admitted by the polling replica {honoured[0].TotalSeconds:0.00} s and by the cache-only replica {honoured[1].TotalSeconds:0.00} s after the cache returned.");
        output.WriteLine($"Revoked right after the cache returned: no longer admitted by the polling replica after {honoured[2].TotalSeconds:0.00} s and by the cache-only replica after {honoured[3].TotalSeconds:0.00} s.");
    }

    [Fact]
    public async Task AReplicaStartedDuringACacheOutageHearsRevocationsThroughTheCacheOnceItReturns()
    {
        await using var farm = await ProcessFarm.StartAsync(cache, "cache-late");
        var first = await farm.StartGatewayAsync();
        await ProcessFarm.ConfigureAsync(first, "rdsh-1");
        await farm.AdvanceDaysAsync(121);
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, 10);
        var device = await ProcessFarm.PermanentDeviceAsync(first, "rdsh-1", "dev-late");
        var offset = await farm.ClockOffsetAsync(farm.LicenseServer);

        cache.Stop();
        ServiceProcess second;
        try
        {
            // Starts with no cache at all, and learns revocations only through the cache (its own audit tail is hourly).
            second = await farm.StartGatewayAsync(("Gateway__RevocationPollInterval", "01:00:00"));
            await ProcessFarm.ConfigureAsync(second, "rdsh-1");
        }
        finally
        {
            cache.Start();
        }

        var back = Stopwatch.StartNew();
        await farm.WaitForClockAsync(offset, [second]);
        var request = ProcessFarm.Device("rdsh-1", device.CertificateDetails.Subject, device.Certificate);
        var client = ProcessFarm.GatewayClient(second);
        Assert.Equal(ReasonCode.ValidCal, (await client.ConnectAsync(request)).Reason);

        await farm.LicenseAdmin.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = device.CertificateDetails.LicenseId });
        var revokedAt = Stopwatch.StartNew();
        ConnectResponse? last = null;
        await Poll.UntilAsync(async () => ProcessFarm.HonoursRevocation(last = await client.ConnectAsync(request), device.CertificateDetails.LicenseId), TimeSpan.FromSeconds(20),
            "A replica that started while the cache was down never heard of a revocation shared through the cache.", () => $"Last answer: {last}");

        output.WriteLine($"Replica started during the outage; simulated clock agreed {back.ElapsedMilliseconds} ms after the cache returned; revocation honoured by it after {revokedAt.Elapsed.TotalSeconds:0.00} s.");
    }

    [Fact]
    public async Task LicenseServerOutageAdmitsValidCertificatesFollowsTheGraceRulesAndNoCallOutlivesItsDeadline()
    {
        await using var farm = await ProcessFarm.StartAsync(cache, "ls-down");
        // The default 2 s timeout: this test is about how long calls wait for a server that does not answer.
        var gateway = await farm.StartGatewayAsync(("Gateway__LicenseServerTimeout", "00:00:02"));
        await ProcessFarm.ConfigureAsync(gateway, "rdsh-old");
        // Warm up: a cold process on a busy machine may miss the 2 s deadline once, and the server is then skipped for 2 s.
        await Poll.UntilAsync(async () => (await ProcessFarm.GatewayClient(gateway).ConnectAsync(ProcessFarm.Device("rdsh-old", "warm-up"))).Reason == ReasonCode.TemporaryCalIssued,
            TimeSpan.FromSeconds(30), "The gateway never reached the license server.");
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, 20);
        await farm.AdvanceDaysAsync(121);
        // A host registered now is in its grace period; rdsh-old is past it.
        await ProcessFarm.ConfigureAsync(gateway, "rdsh-new");
        var devices = new List<ConnectResponse>();
        for (var d = 0; d < 10; d++)
        {
            devices.Add(await ProcessFarm.PermanentDeviceAsync(gateway, "rdsh-old", $"dev-{d:D2}"));
        }

        var client = ProcessFarm.GatewayClient(gateway);
        var newDevices = 0;
        PlannedConnect Plan(int worker, int i) => ((worker + i) % 3) switch
        {
            0 => new PlannedConnect(client, ProcessFarm.Device("rdsh-old", devices[i % devices.Count].CertificateDetails.Subject, devices[i % devices.Count].Certificate), ReasonCode.ValidCal),
            1 => new PlannedConnect(client, ProcessFarm.Device("rdsh-new", $"new-{Interlocked.Increment(ref newDevices)}"), ReasonCode.GracePeriod),
            _ => new PlannedConnect(client, ProcessFarm.Device("rdsh-old", $"new-{Interlocked.Increment(ref newDevices)}"), ReasonCode.NoLicenseServer),
        };

        // A hung license server (SIGSTOP: the socket is open, nothing answers), then a dead one (kill -9).
        await farm.LicenseServer.FreezeAsync();
        var hung = new ConnectLoad(TimeSpan.FromSeconds(10));
        hung.Start(6, Plan);
        await hung.ContinueForAsync(60);
        await hung.StopAsync();
        farm.LicenseServer.Kill();
        var dead = new ConnectLoad(TimeSpan.FromSeconds(10));
        dead.Start(6, Plan);
        await dead.ContinueForAsync(150);
        await dead.StopAsync();

        foreach (var load in new[] { hung, dead })
        {
            Assert.Empty(load.Errors);
            Assert.Empty(load.Unexpected);
            Assert.True(load.Longest < load.Deadline, $"A call took {load.Longest}, longer than its deadline {load.Deadline}.");
        }

        // The grace period of rdsh-new ends while the license server is still down.
        await farm.AdvanceDaysAsync(120);
        var afterGrace = await client.ConnectAsync(ProcessFarm.Device("rdsh-new", "late-device"));
        Assert.False(afterGrace.Admitted);
        Assert.Equal(ReasonCode.NoLicenseServer, afterGrace.Reason);

        await farm.LicenseServer.StartAsync();
        var restarted = Stopwatch.StartNew();
        ConnectResponse? recovered = null;
        var recoveredAfter = await Poll.UntilAsync(async () =>
            (recovered = await client.ConnectAsync(ProcessFarm.Device("rdsh-new", "late-device"))).Reason == ReasonCode.TemporaryCalIssued,
            TimeSpan.FromSeconds(20), "The gateway did not use the license server again after it came back.");
        Assert.True(recovered!.Admitted);

        output.WriteLine($"Hung license server (SIGSTOP): {hung.Calls} calls, errors {hung.Errors.Count}, answers {hung.Reasons}, longest {hung.Longest.TotalMilliseconds:0} ms (client deadline {hung.Deadline.TotalSeconds:0} s, gateway timeout 2 s).");
        output.WriteLine($"Dead license server (kill -9): {dead.Calls} calls, errors {dead.Errors.Count}, answers {dead.Reasons}, longest {dead.Longest.TotalMilliseconds:0} ms.");
        output.WriteLine($"After rdsh-new's grace ended (simulated +120 days): a new device is refused {afterGrace.Reason}. License server restarted: first temporary CAL issued {recoveredAfter.TotalSeconds:0.0} s later, no gateway restart.");
    }

    [Fact]
    public async Task AGatewayKillAndCacheFlushResetNoGracePeriodIssueNoDuplicateAndChangeNoDecision()
    {
        await using var farm = await ProcessFarm.StartAsync(cache, "gw-kill");
        var gateway = await farm.StartGatewayAsync();
        await ProcessFarm.ConfigureAsync(gateway, "rdsh-1");
        await farm.AdvanceDaysAsync(30);
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, 20);
        var permanent = new List<ConnectResponse>();
        for (var d = 0; d < 6; d++)
        {
            permanent.Add(await ProcessFarm.PermanentDeviceAsync(gateway, "rdsh-1", $"perm-{d}"));
        }

        var client = ProcessFarm.GatewayClient(gateway);
        var temporary = new List<ConnectResponse>();
        for (var d = 0; d < 4; d++)
        {
            temporary.Add(await client.ConnectAsync(ProcessFarm.Device("rdsh-1", $"temp-{d}")));
        }

        var inputs = permanent.Select(p => ProcessFarm.Device("rdsh-1", p.CertificateDetails.Subject, p.Certificate))
            .Concat(permanent.Select(p => ProcessFarm.Device("rdsh-1", p.CertificateDetails.Subject)))
            .Concat(temporary.Select(t => ProcessFarm.Device("rdsh-1", t.CertificateDetails.Subject, t.Certificate)))
            .ToList();
        async Task<List<(bool Admitted, ReasonCode Reason, string LicenseId)>> DecideAll()
        {
            var decisions = new List<(bool, ReasonCode, string)>();
            foreach (var input in inputs)
            {
                var response = await client.ConnectAsync(input);
                decisions.Add((response.Admitted, response.Reason, response.CertificateDetails?.LicenseId ?? ""));
            }

            return decisions;
        }

        var before = await DecideAll();
        var graceBefore = await ProcessFarm.GatewayAdmin(gateway).GetGracePeriodAsync(new GetGracePeriodRequest { HostId = "rdsh-1" });
        var calsBefore = await farm.IssuedAsync();
        var offset = await farm.ClockOffsetAsync(farm.LicenseServer);

        gateway.Kill();
        await cache.FlushAsync();
        await gateway.StartAsync();
        // The flushed cache lost the shared simulated offset; the license server writes back the one it knows.
        var clockBack = Stopwatch.StartNew();
        await farm.WaitForClockAsync(offset, [gateway]);
        clockBack.Stop();

        var graceAfter = await ProcessFarm.GatewayAdmin(gateway).GetGracePeriodAsync(new GetGracePeriodRequest { HostId = "rdsh-1" });
        Assert.Equal(graceBefore, graceAfter);
        var after = await DecideAll();
        for (var i = 0; i < inputs.Count; i++)
        {
            Assert.True(before[i] == after[i], $"{inputs[i].Device.HardwareId} (certificate presented: {inputs[i].PresentedCertificate is not null}): {before[i]} before, {after[i]} after.");
        }

        var calsAfter = await farm.IssuedAsync();
        Assert.Equal(calsBefore.Count, calsAfter.Count);
        Assert.Equal(calsAfter.Count, calsAfter.Select(c => c.Subject).Distinct().Count());

        output.WriteLine($"{inputs.Count} connections decided before and after kill -9 of the gateway + FLUSHALL: {string.Join(", ", after.GroupBy(d => d.Reason).Select(g => $"{g.Key}={g.Count()}"))}; identical.");
        output.WriteLine($"Grace: {graceAfter.DaysLeft} days left before and after (ends {graceAfter.EndsAt}). CALs: {calsBefore.Count} before, {calsAfter.Count} after. Simulated clock agreed again {clockBack.ElapsedMilliseconds} ms after the restart.");
    }

    [Fact]
    public async Task TwoReplicasHonourARevocationWithinSecondsAndADeviceConnectingToBothGetsOneCal()
    {
        await using var farm = await ProcessFarm.StartAsync(cache, "replicas");
        var first = await farm.StartGatewayAsync(("Gateway__RevocationPollInterval", "00:00:02"));
        var second = await farm.StartGatewayAsync(("Gateway__RevocationPollInterval", "00:00:02"));
        await ProcessFarm.ConfigureAsync(first, "rdsh-1");
        await ProcessFarm.ConfigureAsync(second, "rdsh-1");
        // Past the grace period, so that no grace-period admission (R1) can hide how a revocation is honoured.
        await farm.AdvanceDaysAsync(121);
        await farm.ActivateAsync();
        var pack = await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, 30);
        var clients = new[] { ProcessFarm.GatewayClient(first), ProcessFarm.GatewayClient(second) };

        // The same new device at both replicas at once, twice: first connection, then the upgrade after sign-in.
        const int racers = 20;
        var upgraded = new List<ConnectResponse>();
        for (var d = 0; d < racers; d++)
        {
            var both = await Task.WhenAll(clients.Select(c => c.ConnectAsync(ProcessFarm.Device("rdsh-1", $"twin-{d:D2}")).ResponseAsync));
            // One replica's request issues the CAL; the other gets that same CAL back (VALID_CAL), never a second one.
            Assert.All(both, r => Assert.True(r.Admitted, r.ToString()));
            Assert.Contains(both, r => r.Reason == ReasonCode.TemporaryCalIssued);
            Assert.Equal(both[0].CertificateDetails.LicenseId, both[1].CertificateDetails.LicenseId);
            await clients[0].SignInAsync(new SignInRequest { SessionId = both[0].SessionId });
            var again = await Task.WhenAll(clients.Select(c => c.ConnectAsync(ProcessFarm.Device("rdsh-1", $"twin-{d:D2}", both[0].Certificate)).ResponseAsync));
            Assert.All(again, r => Assert.True(r.Admitted, r.ToString()));
            Assert.Contains(again, r => r.Reason == ReasonCode.CalUpgraded);
            upgraded.Add(again.First(r => r.Reason == ReasonCode.CalUpgraded));
        }

        var cals = await farm.IssuedAsync();
        Assert.Equal(racers, cals.Count);
        Assert.Equal(racers, cals.Select(c => c.Subject).Distinct().Count());
        var packAfter = (await farm.LicenseAdmin.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks.Single(p => p.KeyPackId == pack.KeyPackId);
        Assert.Equal(racers, packAfter.Issued);

        // Both replicas admit the certificate, then refuse it once revoked.
        var target = upgraded[0];
        var request = ProcessFarm.Device("rdsh-1", target.CertificateDetails.Subject, target.Certificate);
        foreach (var client in clients)
        {
            Assert.Equal(ReasonCode.ValidCal, (await client.ConnectAsync(request)).Reason);
        }

        var revokedAt = Stopwatch.StartNew();
        await farm.LicenseAdmin.RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = target.CertificateDetails.LicenseId });
        var honoured = await Task.WhenAll(clients.Select(async client =>
        {
            await Poll.UntilAsync(async () => ProcessFarm.HonoursRevocation(await client.ConnectAsync(request), target.CertificateDetails.LicenseId),
                TimeSpan.FromSeconds(15), "A replica still admitted a revoked certificate.");
            return revokedAt.Elapsed;
        }));

        output.WriteLine($"{racers} new devices each connecting to both replicas at once (first connection and upgrade): {cals.Count} CALs, pack issued {packAfter.Issued}/{packAfter.Total}.");
        output.WriteLine($"Revocation honoured by replica 1 after {honoured[0].TotalSeconds:0.00} s and replica 2 after {honoured[1].TotalSeconds:0.00} s (audit tail every 2 s + cache pub/sub).");
    }
}
