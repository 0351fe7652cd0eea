using LicenseServerBase = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerBase;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.Reporting.Tests;

/// <summary>
/// A license server that streams as many synthetic CALs as asked and can break off half way, for what a real one
/// cannot be made to do on demand: huge streams and a connection lost mid-report.
/// </summary>
public sealed class FakeLicenseServer(FakeLicenseServer.Settings settings) : LicenseServerBase
{
    /// <param name="FailAfter">After this many CALs the stream fails with Unavailable; 0 never.</param>
    public sealed record Settings(int Count, int FailAfter);

    public override Task<GetServerInfoResponse> GetServerInfo(GetServerInfoRequest request, ServerCallContext context) =>
        Task.FromResult(new GetServerInfoResponse { Server = new ServerInfo { Scope = ServerScope.Domain, Domain = "CONTOSO", Version = ProductVersion._2025 } });

    public override Task<ListKeyPacksResponse> ListKeyPacks(ListKeyPacksRequest request, ServerCallContext context) =>
        Task.FromResult(new ListKeyPacksResponse());

    public override async Task ListIssuedLicenses(ListIssuedLicensesRequest request, IServerStreamWriter<IssuedLicense> responseStream, ServerCallContext context)
    {
        foreach (var license in Licenses(request))
        {
            await responseStream.WriteAsync(license);
        }
    }

    /// <summary>The same CALs 1,000 to a message, as the real license server pages them (the reporting service reads these).</summary>
    public override async Task ListIssuedLicensePages(ListIssuedLicensesRequest request, IServerStreamWriter<IssuedLicensePage> responseStream, ServerCallContext context)
    {
        var page = new IssuedLicensePage();
        foreach (var license in Licenses(request))
        {
            page.Licenses.Add(license);
            if (page.Licenses.Count == 1000)
            {
                await responseStream.WriteAsync(page);
                page = new IssuedLicensePage();
            }
        }

        if (page.Licenses.Count > 0)
        {
            await responseStream.WriteAsync(page);
        }
    }

    public override Task<CountIssuedLicensesResponse> CountIssuedLicenses(CountIssuedLicensesRequest request, ServerCallContext context)
    {
        var response = new CountIssuedLicensesResponse();
        if (settings.Count > 0 && (request.Statuses.Count == 0 || request.Statuses.Contains(CalStatus.Temporary)))
        {
            response.Counts.Add(new IssuedLicenseCount { CalType = CalType.PerDevice, ProductVersion = ProductVersion._2022, Status = CalStatus.Temporary, Count = settings.Count });
        }

        return Task.FromResult(response);
    }

    /// <summary>
    /// Every CAL it has is a temporary Per Device one (a listing of another status or type is empty); past
    /// <see cref="Settings.FailAfter"/> CALs the listing fails with Unavailable.
    /// </summary>
    private IEnumerable<IssuedLicense> Licenses(ListIssuedLicensesRequest request)
    {
        var issued = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        if (request.Status is not (CalStatus.Unspecified or CalStatus.Temporary) || request.CalType is not (CalType.Unspecified or CalType.PerDevice))
        {
            yield break;
        }

        for (var i = 0; i < settings.Count; i++)
        {
            if (settings.FailAfter > 0 && i == settings.FailAfter)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "The license server went away."));
            }

            yield return new IssuedLicense
            {
                LicenseId = i.ToString("D10", System.Globalization.CultureInfo.InvariantCulture),
                CalType = CalType.PerDevice,
                ProductVersion = ProductVersion._2022,
                Status = CalStatus.Temporary,
                Subject = $"HW-{i:D10}",
                ComputerName = $"PC-{i:D10}",
                IssuedAt = issued,
                ExpiresAt = issued,
            };
        }
    }

    public static async Task<WebApplication> StartAsync(int count, int failAfter = 0)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new Settings(count, failAfter));
        var app = builder.Build();
        app.MapGrpcService<FakeLicenseServer>();
        await app.StartAsync();
        return app;
    }
}
