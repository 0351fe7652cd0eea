using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.LicenseServer.Storage;
using Core = RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>CountIssuedLicenses: the listing's CALs counted per CAL type, version, status and user domain inside the server.</summary>
public sealed class CountIssuedLicensesTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task CountsEqualTheListingGroupedByTypeVersionStatusAndDomain()
    {
        await SeedAsync();

        var counted = (await _host.Client.CountIssuedLicensesAsync(new CountIssuedLicensesRequest { Statuses = { CalStatus.Overused, CalStatus.Temporary } })).Counts
            .ToDictionary(c => (c.CalType, c.ProductVersion, c.Status, c.UserDomain), c => c.Count);
        var listed = new Dictionary<(CalType, ProductVersion, CalStatus, string), long>();
        foreach (var status in new[] { CalStatus.Overused, CalStatus.Temporary })
        {
            await foreach (var license in _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { Status = status }).ResponseStream.ReadAllAsync())
            {
                var domain = license.CalType != CalType.PerUser ? "" : license.UserName.Length > 0 ? license.UserDomain : license.Subject.Split('\\')[0];
                var key = (license.CalType, license.ProductVersion, license.Status, domain);
                listed[key] = listed.GetValueOrDefault(key) + 1;
            }
        }

        Assert.Equal(listed.OrderBy(p => p.Key.ToString()), counted.OrderBy(p => p.Key.ToString()));
        Assert.Equal(270, counted.Values.Sum());
        Assert.Contains(counted.Keys, k => k.UserDomain == "FABRIKAM" && k.Status == CalStatus.Overused);
    }

    [Fact]
    public async Task TheEnginesCountQueryEqualsCountingTheListingOneByOne()
    {
        var now = await SeedAsync();
        var reader = _host.Services.GetRequiredService<ILicenseReader>();
        var counter = _host.Services.GetRequiredService<ILicenseCountReader>();
        Core.CalStatus[] statuses = [Core.CalStatus.OverUsed, Core.CalStatus.Temporary, Core.CalStatus.Revoked];

        var byQuery = await LicenseCounting.CountAsync(reader, counter, statuses, now, CancellationToken.None);
        var oneByOne = await LicenseCounting.CountAsync(reader, null, statuses, now, CancellationToken.None);

        Assert.Equal(oneByOne.OrderBy(c => c.ToString()), byQuery.OrderBy(c => c.ToString()));
        Assert.Equal(270, byQuery.Sum(c => c.Count));
    }

    [Theory]
    [InlineData(new CalStatus[0])]
    [InlineData(new[] { CalStatus.Expired })]
    [InlineData(new[] { CalStatus.Unspecified })]
    [InlineData(new[] { (CalStatus)42 })]
    public async Task ACountWithoutACountableStatusIsRefusedWithASentenceOnStatuses(CalStatus[] statuses)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await _host.Client.CountIssuedLicensesAsync(new CountIssuedLicensesRequest { Statuses = { statuses } }));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        var violations = refused.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations;
        Assert.NotNull(violations);
        Assert.All(violations, v => Assert.Equal("statuses", v.Field));
        Assert.Contains("not counted", refused.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>300 CALs: devices and users of two domains (one stored only in the subject), some OverUsed, a tenth expired.</summary>
    private async Task<DateTimeOffset> SeedAsync()
    {
        var now = (await _host.Client.GetServerInfoAsync(new GetServerInfoRequest())).Server.Now.ToDateTimeOffset();
        await _host.Services.GetRequiredService<ILicenseStore>().WriteAsync(session =>
        {
            for (var i = 0; i < 300; i++)
            {
                // Devices and users of two domains (one stored only in the subject), some OverUsed, some already expired.
                var expires = i % 10 == 0 ? now.AddDays(-1) : now.AddDays(30);
                var version = i % 3 == 0 ? Core.ProductVersion.WindowsServer2019 : Core.ProductVersion.WindowsServer2022;
                var user = i % 2 == 0;
                var status = user ? (i % 4 == 0 ? Core.CalStatus.OverUsed : Core.CalStatus.Temporary) : Core.CalStatus.Temporary;
                var domain = i % 6 == 0 ? "FABRIKAM" : "CONTOSO";
                var subject = user ? $"{domain}\\user-{i}" : $"hw-{i}";
                var cal = new Core.IssuedCal(Guid.CreateVersion7(now), user ? Core.CalType.PerUser : Core.CalType.PerDevice, version, subject, status, null,
                    now.AddDays(-5), expires);
                session.InsertLicense(user && i % 8 != 0
                    ? new LicenseRecord(cal, null, domain, $"user-{i}", "host-1")
                    : new LicenseRecord(cal, user ? null : $"PC-{i}", null, null, "host-1"));
            }

            return 0;
        }, CancellationToken.None);

        return now;
    }
}
