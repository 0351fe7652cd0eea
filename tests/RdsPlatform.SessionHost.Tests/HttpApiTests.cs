using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.SessionHost.Grpc;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>The gateway's host settings, grace period and diagnosis over HTTP/JSON on its JSON API port, through real sockets.</summary>
public sealed class HttpApiTests : IAsyncLifetime
{
    private readonly ServiceFarm _services = new("rds-kestrel-tests", onKestrel: true);
    private readonly ServiceAddresses _gateway;

    public HttpApiTests()
    {
        var licenseServer = _services.Start<LicenseServerService>("license-server").Addresses!;
        _gateway = _services.Start<SessionHostGatewayService>("session-host",
            s => s.Set("LicenseServers:license-server", licenseServer.Grpc.ToString())).Addresses!;
    }

    [Fact]
    public async Task AnAdministratorConfiguresAHostAndReadsItsGracePeriodAndDiagnosis()
    {
        using var admin = new JsonApi(_gateway.HttpApi, TestKeys.Admin);

        var configured = await admin.PutAsync("/v1/session-hosts/rdsh-01", """
            {"version":"PRODUCT_VERSION_2022","licensingMode":"LICENSING_MODE_PER_DEVICE","licenseServers":["license-server"]}
            """);
        var host = await admin.GetAsync("/v1/session-hosts/rdsh-01");
        var grace = await admin.GetAsync("/v1/session-hosts/rdsh-01/grace-period");
        var diagnosis = await admin.GetAsync("/v1/session-hosts/rdsh-01/diagnosis");

        Assert.True(configured.Status == 200, configured.ToString());
        Assert.Equal("LICENSING_MODE_PER_DEVICE", host.Json.GetProperty("host").GetProperty("licensingMode").GetString());
        Assert.Equal(120, grace.Json.GetProperty("daysLeft").GetInt32());
        Assert.True(grace.Json.GetProperty("inGrace").GetBoolean());
        Assert.True(diagnosis.Status == 200, diagnosis.ToString());
        Assert.Equal("rdsh-01", diagnosis.Json.GetProperty("hostId").GetString());
        Assert.NotEmpty(diagnosis.Json.GetProperty("findings").EnumerateArray());
    }

    [Fact]
    public async Task AnUnknownHostIsNotFoundWithASentence()
    {
        using var admin = new JsonApi(_gateway.HttpApi, TestKeys.Admin);

        var reply = await admin.GetAsync("/v1/session-hosts/nowhere");

        Assert.Equal(404, reply.Status);
        Assert.Equal(5, reply.Json.GetProperty("code").GetInt32());
        Assert.Contains("nowhere", reply.Json.GetProperty("message").GetString());
    }

    [Fact]
    public async Task AClientKeyMayNotChangeHostSettings()
    {
        using var client = new JsonApi(_gateway.HttpApi, TestKeys.Client);

        var reply = await client.PutAsync("/v1/session-hosts/rdsh-01", """{"version":"PRODUCT_VERSION_2022"}""");

        Assert.Equal(403, reply.Status);
        Assert.Equal(7, reply.Json.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task TheOpenApiDocumentOffersHostSettingsButNotTheConnectionCalls()
    {
        using var anonymous = new JsonApi(_gateway.HttpApi, key: null);

        var document = await anonymous.GetAsync("/openapi/v1.json");

        var paths = document.Json.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/v1/session-hosts/{hostId}", paths);
        Assert.Contains("/v1/session-hosts/{hostId}/diagnosis", paths);
        Assert.DoesNotContain(paths, p => p.Contains("Connect", StringComparison.OrdinalIgnoreCase) || p.Contains("SignIn", StringComparison.OrdinalIgnoreCase));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _services.DisposeAsync();
}
