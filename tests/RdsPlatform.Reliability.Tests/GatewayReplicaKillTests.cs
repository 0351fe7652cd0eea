using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;
using Xunit.Abstractions;

namespace RdsPlatform.Reliability.Tests;

/// <summary>
/// kill -9 of one of two gateway replicas (real processes on one cache and one license server) while callers present
/// the certificates it handed out: the other replica admits every valid certificate, during the kill and after it.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class GatewayReplicaKillTests(GarnetFixture cache, ITestOutputHelper output)
{
    private const int Devices = 40;
    private const string HostId = "rdsh-gw-replicas";

    [Fact]
    public async Task AfterAKillNineOfOneGatewayTheOtherAdmitsEveryValidCertificate()
    {
        await using var farm = await ProcessFarm.StartAsync(cache, "gw-replica-kill");
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, Devices);
        var first = await farm.StartGatewayAsync();
        var second = await farm.StartGatewayAsync();
        // Each gateway keeps its host settings in its own file here (SQLite): the host is configured on both, as a farm
        // on PostgreSQL configures it once for all.
        await ProcessFarm.ConfigureAsync(first, HostId);
        await ProcessFarm.ConfigureAsync(second, HostId);
        var certificates = new List<(string Device, CalCertificate Certificate)>();
        for (var i = 0; i < Devices; i++)
        {
            var permanent = await ProcessFarm.PermanentDeviceAsync(first, HostId, $"gwkill-{i}");
            certificates.Add(($"gwkill-{i}", permanent.Certificate));
        }

        // 20 callers present the certificates to the second replica while the first is killed under them.
        var presenting = Task.WhenAll(Enumerable.Range(0, 20).Select(c => Task.Run(async () =>
        {
            var answers = new List<ConnectResponse>();
            foreach (var (device, certificate) in certificates.Where((_, i) => i % 20 == c))
            {
                answers.Add(await ProcessFarm.GatewayClient(second).ConnectAsync(ProcessFarm.Device(HostId, device, certificate)));
            }

            return answers;
        })));
        first.Kill();
        var during = (await presenting).SelectMany(a => a).ToList();
        var after = await Task.WhenAll(certificates.Select(c =>
            ProcessFarm.GatewayClient(second).ConnectAsync(ProcessFarm.Device(HostId, c.Device, c.Certificate)).ResponseAsync));

        Assert.False(first.IsRunning);
        Assert.Equal(Devices, during.Count);
        Assert.All(during.Concat(after), answer => Assert.True(answer.Admitted && answer.Reason == ReasonCode.ValidCal, answer.ToString()));
        output.WriteLine($"{Devices} certificates from the killed replica admitted VALID_CAL by the other during the kill and {after.Length} again after it.");
    }
}
