using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.ServiceDefaults.Security;
using RdsPlatform.Testing;
using Core = RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>ListIssuedLicensePages: exactly ListIssuedLicenses' CALs, in its order and with its filters, many to a message.</summary>
public sealed class ListIssuedLicensePagesTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string> Filters() => new(Listings().Keys);

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task ThePagesHoldTheSameCalsInTheSameOrderAsTheSingleStream(string filter)
    {
        await SeedAsync();
        var request = Listings()[filter];
        if (filter == "after a cursor")
        {
            var all = await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest()).ToListAsync();
            request.AfterLicenseId = all[1_234].LicenseId;
        }

        var single = await _host.Client.ListIssuedLicenses(request).ToListAsync();
        var pages = await _host.Client.ListIssuedLicensePages(request).ToListAsync();

        Assert.NotEmpty(single);
        Assert.Equal(single, pages.SelectMany(p => p.Licenses));
        Assert.All(pages.SkipLast(1), p => Assert.Equal(1_000, p.Licenses.Count));
        Assert.NotEmpty(pages[^1].Licenses);
    }

    [Fact]
    public async Task BadFiltersAreRefusedAsTheSingleStreamRefusesThem()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            _host.Client.ListIssuedLicensePages(new ListIssuedLicensesRequest { KeyPackId = "x", AfterLicenseId = "y" }).ToListAsync());

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(["key_pack_id", "after_license_id"], refused.ViolatedFields());
    }

    /// <summary>
    /// The pages are served by the license server's own endpoint (EncodedLicensePages), mapped with the handler's roles:
    /// reporters and admins read them, any other key is refused and a call without a key is challenged.
    /// </summary>
    [Fact]
    public async Task OnlyAdminsAndReportersMayReadThePages()
    {
        await SeedAsync();
        Contracts.Licensing.V1.LicenseServer.LicenseServerClient As(string role) => new(_host.Channel.WithBearer(TestKeys.ForRole(role)));

        var reporter = await As(RdsRoles.Reporter).ListIssuedLicensePages(new ListIssuedLicensesRequest()).ToListAsync();
        var admin = await As(RdsRoles.Admin).ListIssuedLicensePages(new ListIssuedLicensesRequest()).ToListAsync();
        var sessionHost = await Assert.ThrowsAsync<RpcException>(() =>
            As(RdsRoles.SessionHost).ListIssuedLicensePages(new ListIssuedLicensesRequest()).ToListAsync());
        var anonymous = await Assert.ThrowsAsync<RpcException>(() =>
            new Contracts.Licensing.V1.LicenseServer.LicenseServerClient(_host.Channel).ListIssuedLicensePages(new ListIssuedLicensesRequest()).ToListAsync());

        Assert.Equal(3_150, reporter.Sum(p => p.Licenses.Count));
        Assert.Equal(reporter, admin);
        Assert.Equal(StatusCode.PermissionDenied, sessionHost.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
    }

    private static Dictionary<string, ListIssuedLicensesRequest> Listings() => new()
    {
        ["no filter"] = new(),
        ["expired included"] = new() { IncludeExpired = true },
        ["expired only"] = new() { Status = CalStatus.Expired },
        ["overused"] = new() { Status = CalStatus.Overused },
        ["per user"] = new() { CalType = CalType.PerUser },
        ["one domain"] = new() { UserDomain = "fabrikam" },
        ["per device 2019"] = new() { CalType = CalType.PerDevice, ProductVersion = ProductVersion._2019 },
        ["one subject"] = new() { Subject = "hw-1001" },
        ["after a cursor"] = new(),
    };

    /// <summary>3,500 CALs: devices and users of two domains, some OverUsed, a tenth expired (pages of 1,000 and a shorter last).</summary>
    private async Task SeedAsync()
    {
        var now = (await _host.Client.GetServerInfoAsync(new GetServerInfoRequest())).Server.Now.ToDateTimeOffset();
        await _host.Services.GetRequiredService<ILicenseStore>().WriteAsync(session =>
        {
            for (var i = 0; i < 3_500; i++)
            {
                var user = i % 3 == 0;
                var domain = i % 6 == 0 ? "FABRIKAM" : "CONTOSO";
                var cal = new Core.IssuedCal(Guid.CreateVersion7(now), user ? Core.CalType.PerUser : Core.CalType.PerDevice,
                    i % 4 == 0 ? Core.ProductVersion.WindowsServer2019 : Core.ProductVersion.WindowsServer2022,
                    user ? $"{domain}\\user-{i}" : $"hw-{i}", i % 5 == 0 ? Core.CalStatus.OverUsed : Core.CalStatus.Temporary, null,
                    now.AddDays(-5), i % 10 == 0 ? now.AddDays(-1) : now.AddDays(30));
                session.InsertLicense(user
                    ? new LicenseRecord(cal, null, domain, $"user-{i}", "host-1")
                    : new LicenseRecord(cal, $"PC-{i}", null, null, "host-1"));
            }

            return 0;
        }, CancellationToken.None);
    }
}
