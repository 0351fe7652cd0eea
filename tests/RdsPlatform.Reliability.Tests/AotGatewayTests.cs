using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.Reliability.Tests;

/// <summary>
/// The gateway published with Native AOT (<see cref="NativeGateway"/>), driven as a farm drives the usual build: what the
/// AOT compiler could have broken is what reads types by reflection or generates code at run time (options binding and
/// validation, the license server's gRPC client, gRPC reflection, the cache client, metrics), so each is called here
/// through the published binary, and the HTTP/JSON API, which that build does not serve, must say so.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class AotGatewayTests(GarnetFixture cache)
{
    private static readonly TimeSpan HttpDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ThePublishedGatewayDecidesConnectionsServesReflectionAndMetricsAndSaysItHasNoJsonApi()
    {
        var executable = await NativeGateway.ExecutableAsync();
        Assert.False(File.Exists(Path.ChangeExtension(executable, ".dll")), "The publish left a managed RdsPlatform.SessionHost.dll: it is not a native build.");
        await using var farm = await ProcessFarm.StartAsync(cache, "aot-gateway");
        int httpApi = GarnetFixture.FreeTcpPort(), management = GarnetFixture.FreeTcpPort();
        var gateway = await farm.StartGatewayAsync(executable, [httpApi, management],
            ("Ports__HttpApi", httpApi.ToString()), ("Ports__Management", management.ToString()));

        // gRPC: a device's first day (R3-R5) through the license server's client, past the grace period (no R1 admission).
        await ProcessFarm.ConfigureAsync(gateway, "rdsh-aot");
        await farm.AdvanceDaysAsync(121);
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, 5);
        var permanent = await ProcessFarm.PermanentDeviceAsync(gateway, "rdsh-aot", "aot-0001");
        var client = ProcessFarm.GatewayClient(gateway);
        var again = await client.ConnectAsync(ProcessFarm.Device("rdsh-aot", "aot-0001", permanent.Certificate));
        Assert.Equal(ReasonCode.ValidCal, again.Reason);
        Assert.True(again.Admitted);
        Assert.Contains((await farm.IssuedAsync()), license => license.LicenseId == permanent.CertificateDetails.LicenseId);

        // Bad input: the status and a sentence, as from the JIT build.
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.ConnectAsync(ProcessFarm.Device("", "aot-0002")).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("session host id", refused.Status.Detail);

        // gRPC reflection lists the contracts (grpcurl needs it).
        var services = await ReflectionListing.ServicesAsync(gateway.Channel, DateTime.UtcNow + HttpDeadline);
        Assert.Contains("rds.sessionhost.v1.SessionHostGateway", services);
        Assert.Contains("grpc.health.v1.Health", services);

        using var http = new HttpClient { Timeout = HttpDeadline };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestKeys.Admin);

        // The JSON API and the OpenAPI document need code generated at run time (JSON transcoding, Swashbuckle): each of
        // their routes answers 501 with a sentence that says what to use instead, not a 500 or a silent 404.
        foreach (var route in new[] { "/v1/session-hosts/rdsh-aot/diagnosis", "/v1/session-hosts", "/openapi/v1.json" })
        {
            var answer = await http.GetAsync($"http://127.0.0.1:{httpApi}{route}");
            Assert.Equal(HttpStatusCode.NotImplemented, answer.StatusCode);
            Assert.Contains("published with Native AOT, which serves gRPC only", await answer.Content.ReadAsStringAsync());
        }

        // Prometheus on the management port, with the gateway's own decisions counted.
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{management}/metrics");
        Assert.Contains("rds_connection_decisions", metrics);
    }

    [Theory]
    [InlineData("Gateway__CacheTimeout", "-00:00:01", "Gateway:CacheTimeout must be a duration")]
    [InlineData("Ports__HttpApi", "70000", "Ports:HttpApi must be a TCP port from 1 to 65535.")]
    [InlineData("Gateway__CacheTimeout", "soon", "Failed to convert configuration value 'soon' at 'Gateway:CacheTimeout'")]
    public async Task ThePublishedGatewayRefusesABadSettingWithTheSentenceTheJitBuildGives(string setting, string value, string sentence)
    {
        var executable = await NativeGateway.ExecutableAsync();
        await using var farm = await ProcessFarm.StartAsync(cache, "aot-settings");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => farm.StartGatewayAsync(executable, [], (setting, value)));

        Assert.Contains("exited during start-up", failure.Message);
        Assert.Contains(sentence, failure.Message);
    }
}
