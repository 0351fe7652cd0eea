using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.ServiceDefaults;
using GatewayClient = RdsPlatform.Contracts.SessionHost.V1.SessionHostGateway.SessionHostGatewayClient;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;
using ReportingClient = RdsPlatform.Contracts.Reporting.V1.Reporting.ReportingClient;

namespace RdsPlatform.Manager.Tests;

/// <summary>Farm set-up through the services' own contracts, as a session host, a client and an administrator would do it.</summary>
public sealed class Seed(ManagerTopology topology)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static int _codes;

    public LicenseServerClient LicenseServer => new(topology.Invoker(ResourceNames.LicenseServer, TestKeys.Admin));

    public GatewayClient Gateway(string key) => new(topology.Invoker(ResourceNames.SessionHost, key));

    /// <summary>A retail code no test has installed before.</summary>
    public static string NewRetailCode() => $"BBBBB-CCCCC-DDDDD-EEEEE-{Interlocked.Increment(ref _codes) + Random.Shared.Next(10_000, 90_000):D5}";

    public async Task ActivateAsync()
    {
        var info = await LicenseServer.GetServerInfoAsync(new GetServerInfoRequest(), deadline: DateTime.UtcNow + Deadline);
        if (info.Server.ActivationState != ActivationState.Activated)
        {
            await LicenseServer.ActivateServerAsync(Requests.Activate("ada@contoso.example"), deadline: DateTime.UtcNow + Deadline);
        }
    }

    public async Task<KeyPack> InstallAsync(CalType type, ProductVersion version, int count) =>
        (await LicenseServer.InstallKeyPackAsync(Requests.Retail(NewRetailCode(), type, version, count), deadline: DateTime.UtcNow + Deadline)).KeyPack;

    public async Task ConfigureHostAsync(string hostId, LicensingMode mode = LicensingMode.PerDevice, ProductVersion version = ProductVersion._2022) =>
        await Gateway(TestKeys.Admin).ConfigureSessionHostAsync(
            Requests.ConfigureHost(hostId, mode, version, false, ResourceNames.LicenseServer), deadline: DateTime.UtcNow + Deadline);

    public async Task GenerateReportAsync(ReportKind kind) =>
        await new ReportingClient(topology.Invoker(ResourceNames.Reporting, TestKeys.Reporter))
            .GenerateReportAsync(new GenerateReportRequest { Kind = kind }, deadline: DateTime.UtcNow + Deadline);

    /// <summary>Connects a device, signs its user in and connects again: the temporary CAL is validated, then upgraded.</summary>
    public async Task<ConnectResponse> ConnectDeviceUntilPermanentAsync(string hostId, string hardwareId)
    {
        var client = Gateway(TestKeys.Client);
        CalCertificate? certificate = null;
        ConnectResponse connected = null!;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            connected = await client.ConnectAsync(
                Requests.Connect(hostId, hardwareId, userName: "user-" + hardwareId, presented: certificate), deadline: DateTime.UtcNow + Deadline);
            certificate = connected.Certificate ?? certificate;
            if (connected.CertificateDetails is { Temporary: false })
            {
                return connected;
            }

            await client.SignInAsync(new SignInRequest { SessionId = connected.SessionId }, deadline: DateTime.UtcNow + Deadline);
            await client.DisconnectAsync(new DisconnectRequest { SessionId = connected.SessionId }, deadline: DateTime.UtcNow + Deadline);
        }

        return connected;
    }
}
