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
        await admin.ActivateServerAsync(new ActivateServerRequest
        {
            Contact = new ContactDetails { FirstName = "Ada", LastName = "Lovelace", Company = "Contoso", Country = "GB", Email = "ada@contoso.example" },
        });
        await admin.InstallKeyPackAsync(new InstallKeyPackRequest
        {
            Program = KeyPackProgram.Retail,
            RetailCode = "AAAAA-BBBBB-CCCCC-DDDDD-00001",
            ProductVersion = ProductVersion._2022,
            CalType = CalType.PerDevice,
            Count = perDevice,
        });
    }

    public static async Task ConfigureHostAsync(this Platform platform, string hostId, LicensingMode mode = LicensingMode.PerDevice, params string[] licenseServers) =>
        await platform.GatewayAs(TestKeys.Admin).ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = hostId,
            Version = ProductVersion._2022,
            LicensingMode = mode,
            LicenseServers = { licenseServers.Length == 0 ? ["license-server"] : licenseServers },
        });

    public static Task<ConnectResponse> ConnectAsync(this Platform platform, string hostId, string hardwareId, CalCertificate? presented = null) =>
        platform.GatewayAs(TestKeys.Client).ConnectAsync(new ConnectRequest
        {
            HostId = hostId,
            Device = new Device { HardwareId = hardwareId, ComputerName = $"PC-{hardwareId}" },
            User = new User { Domain = "CONTOSO", Name = "alice" },
            PresentedCertificate = presented,
        }).ResponseAsync;

    public static RequestLicenseRequest DeviceLicense(string hostId, string hardwareId) => new()
    {
        SessionHostId = hostId,
        SessionHostVersion = ProductVersion._2022,
        CalType = CalType.PerDevice,
        HardwareId = hardwareId,
        ComputerName = $"PC-{hardwareId}",
    };

    public static async Task<List<IssuedLicense>> IssuedAsync(this Platform platform)
    {
        using var call = platform.LicenseServerAs(TestKeys.Admin).ListIssuedLicenses(new ListIssuedLicensesRequest { IncludeExpired = true });
        var list = new List<IssuedLicense>();
        await foreach (var license in call.ResponseStream.ReadAllAsync())
        {
            list.Add(license);
        }

        return list;
    }

    public static async Task<List<AuditEvent>> AuditAsync(this Platform platform)
    {
        using var call = platform.LicenseServerAs(TestKeys.Admin).GetAuditTrail(new GetAuditTrailRequest());
        var list = new List<AuditEvent>();
        await foreach (var audit in call.ResponseStream.ReadAllAsync())
        {
            list.Add(audit);
        }

        return list;
    }

    public static async Task<RpcException> RefusedAsync<T>(Func<AsyncUnaryCall<T>> call) =>
        await Assert.ThrowsAsync<RpcException>(async () => await call());
}
