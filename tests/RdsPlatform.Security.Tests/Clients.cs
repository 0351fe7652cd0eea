using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;
using GatewayClient = RdsPlatform.Contracts.SessionHost.V1.SessionHostGateway.SessionHostGatewayClient;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;
using ReportingClient = RdsPlatform.Contracts.Reporting.V1.Reporting.ReportingClient;

namespace RdsPlatform.Security.Tests;

/// <summary>Typed clients of the platform with one role's key each, and the setup steps the tests share.</summary>
public static class Clients
{
    public static LicenseServerClient LicenseServerAs(this Platform platform, string key) => new(platform.LicenseServer(key));

    public static GatewayClient GatewayAs(this Platform platform, string key) => new(platform.Gateway(key));

    public static ReportingClient ReportingAs(this Platform platform, string key) => new(platform.Reporting(key));

    public static async Task ActivateAndInstallAsync(this Platform platform, int perDevice = 10)
    {
        var admin = platform.LicenseServerAs(TestKeys.Admin);
        await admin.ActivateServerAsync(Requests.Activate("ada@contoso.example"));
        await admin.InstallKeyPackAsync(Requests.Retail("AAAAA-BBBBB-CCCCC-DDDDD-00001", count: perDevice));
    }

    public static async Task ConfigureHostAsync(this Platform platform, string hostId, LicensingMode mode = LicensingMode.PerDevice, params string[] licenseServers) =>
        await platform.GatewayAs(TestKeys.Admin).ConfigureSessionHostAsync(Requests.ConfigureHost(hostId, mode, ProductVersion._2022, false, licenseServers));

    public static Task<ConnectResponse> ConnectAsync(this Platform platform, string hostId, string hardwareId, CalCertificate? presented = null) =>
        platform.GatewayAs(TestKeys.Client).ConnectAsync(Requests.Connect(hostId, hardwareId, presented: presented)).ResponseAsync;

    public static RequestLicenseRequest DeviceLicense(string hostId, string hardwareId) => Requests.Device(hardwareId, hostId: hostId);

    public static async Task<List<IssuedLicense>> IssuedAsync(this Platform platform) =>
        await platform.LicenseServerAs(TestKeys.Admin).ListIssuedLicenses(new ListIssuedLicensesRequest { IncludeExpired = true }).ToListAsync();

    /// <summary>Kept for tests written against it (the shared one is <see cref="Requests.RefusedAsync{T}"/>).</summary>
    public static Task<RpcException> RefusedAsync<T>(Func<AsyncUnaryCall<T>> call) => Requests.RefusedAsync(call);

    public static async Task<List<AuditEvent>> AuditAsync(this Platform platform) =>
        await platform.LicenseServerAs(TestKeys.Admin).GetAuditTrail(new GetAuditTrailRequest()).ToListAsync();
}
