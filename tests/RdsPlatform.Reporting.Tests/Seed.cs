using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Testing;

using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.Reporting.Tests;

/// <summary>Puts real data into the license server through its own RPCs, as an administrator and session hosts would.</summary>
public static class Seed
{
    public const string HostId = "rdsh-01";

    public static async Task<KeyPack> InstallAsync(this LicenseServerClient server, CalType type, ProductVersion version, int count) =>
        (await server.InstallKeyPackAsync(Requests.Retail(Requests.NewRandomCode(), type, version, count))).KeyPack;

    /// <summary>First connection (temporary CAL), sign-in, and second connection: permanent when a seat is free (R3-R5).</summary>
    public static async Task<IssuedLicense> ConnectDeviceAsync(this LicenseServerClient server, string hardwareId, string computerName, bool signIn = true)
    {
        var first = await server.RequestLicenseAsync(DeviceRequest(hardwareId, computerName));
        if (!signIn)
        {
            return first.License;
        }

        await server.MarkLicenseValidatedAsync(new MarkLicenseValidatedRequest { LicenseId = first.License.LicenseId, SessionHostId = HostId });
        return (await server.RequestLicenseAsync(DeviceRequest(hardwareId, computerName))).License;
    }

    public static async Task<RequestLicenseResponse> SignInUserAsync(this LicenseServerClient server, string domain, string user) =>
        await server.RequestLicenseAsync(Requests.User(user, domain, hostId: HostId));

    public static async Task<Report> GenerateAsync(this Contracts.Reporting.V1.Reporting.ReportingClient reporting, ReportKind kind, string domain = "") =>
        (await reporting.GenerateReportAsync(new GenerateReportRequest { Kind = kind, Domain = domain })).Report;

    public static async Task<List<ReportEntry>> AllEntriesAsync(this Contracts.Reporting.V1.Reporting.ReportingClient reporting, string reportId, int pageSize = 1000)
    {
        var entries = new List<ReportEntry>();
        var token = "";
        do
        {
            var page = await reporting.GetReportEntriesAsync(new GetReportEntriesRequest { ReportId = reportId, PageSize = pageSize, PageToken = token });
            entries.AddRange(page.Entries);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        return entries;
    }

    public static async Task<byte[]> ExportAsync(this Contracts.Reporting.V1.Reporting.ReportingClient reporting, string reportId, List<int>? chunkSizes = null)
    {
        using var call = reporting.ExportReport(new ExportReportRequest { ReportId = reportId });
        var bytes = new List<byte>();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            chunkSizes?.Add(chunk.Data.Length);
            bytes.AddRange(chunk.Data.ToByteArray());
        }

        return [.. bytes];
    }

    private static RequestLicenseRequest DeviceRequest(string hardwareId, string computerName)
    {
        var request = Requests.Device(hardwareId, hostId: HostId);
        request.ComputerName = computerName;
        return request;
    }
}
