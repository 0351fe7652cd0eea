using Grpc.Net.Client;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.SessionHost.Grpc;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>A gateway and a license server on real sockets; the gateway's management port is scraped after real connections.</summary>
[Collection(AloneInProcess.Name)]
public sealed class PrometheusScrapeTests : IAsyncLifetime
{
    private readonly ServiceFarm _services = new("rds-kestrel-tests", onKestrel: true);

    [Fact]
    public async Task DecisionsGraceAndLicenseServerReachabilityAreScrapedWithoutAnApiKey()
    {
        var licenseServer = _services.Start<LicenseServerService>("license-server").Addresses!;
        var gateway = _services.Start<SessionHostGatewayService>("session-host", s => s
            .Set("LicenseServers:license-server", licenseServer.Grpc.ToString())
            .Set("LicenseServers:offline", $"http://127.0.0.1:{KestrelHosting.FreePort()}")
            .Set("Gateway:LicenseServerRetryAfter", "00:10:00")).Addresses!;
        using var channel = GrpcChannel.ForAddress(gateway.Grpc);
        var client = new SessionHostGateway.SessionHostGatewayClient(channel.WithRoleKeys(typeof(SessionHostGatewayService)));
        await client.ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = "rdsh-1",
            Version = ProductVersion._2022,
            LicensingMode = LicensingMode.PerDevice,
            // The offline server first: the gateway finds it unreachable, then asks the live one.
            LicenseServers = { "offline", "license-server" },
        });
        var reply = await client.ConnectAsync(new ConnectRequest
        {
            HostId = "rdsh-1",
            Device = new Device { HardwareId = "hw-1", ComputerName = "PC-1" },
            User = new User { Domain = "CONTOSO", Name = "alice" },
        }, deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.Equal(ReasonCode.TemporaryCalIssued, reply.Reason);

        using var http = new HttpClient();
        var scrape = await http.GetStringAsync(new Uri(gateway.Management, "/metrics"));

        Assert.Matches("rds_connection_decisions_total\\{(?=[^}]*reason=\"TemporaryCalIssued\")(?=[^}]*admitted=\"true\")(?=[^}]*mode=\"PerDevice\")[^}]*\\} 1", scrape);
        Assert.DoesNotMatch("rds_connection_decisions_total\\{[^}]*admitted=\"false\"", scrape);
        Assert.Matches("rds_grace_days_left_days\\{[^}]*host_id=\"rdsh-1\"[^}]*\\} 120", scrape);
        Assert.Matches("rds_grace_hosts_in_grace\\{[^}]*\\} 1", scrape);
        Assert.Matches($"rds_license_server_reachable\\{{[^}}]*license_server=\"{licenseServer.Grpc}\"[^}}]*\\}} 1", scrape);
        Assert.Matches("rds_license_server_reachable\\{[^}]*license_server=\"http://127.0.0.1:[0-9]+/\"[^}]*\\} 0", scrape);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _services.DisposeAsync();
}
