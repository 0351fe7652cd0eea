using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Storage;
using Core = RdsPlatform.Licensing;
using AuditEventType = RdsPlatform.Contracts.Licensing.V1.AuditEventType;

namespace RdsPlatform.LicenseServer.Tests;

public sealed class StreamTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task OneHundredThousandLicensesStreamInFullAndFilterByStatus()
    {
        var info = (await _host.Client.GetServerInfoAsync(new GetServerInfoRequest())).Server;
        var now = info.Now.ToDateTimeOffset();
        var store = _host.Services.GetRequiredService<ILicenseStore>();
        const int count = 100_000;
        await store.WriteAsync(session =>
        {
            for (var i = 0; i < count; i++)
            {
                // Every tenth is already expired, every hundredth is for 2019 hosts.
                var expires = i % 10 == 0 ? now.AddDays(-1) : now.AddDays(30);
                var version = i % 100 == 0 ? Core.ProductVersion.WindowsServer2019 : Core.ProductVersion.WindowsServer2022;
                var cal = new Core.IssuedCal(Guid.CreateVersion7(now), Core.CalType.PerDevice, version, $"bulk-{i}", Core.CalStatus.Temporary, null,
                    now.AddDays(-60), expires);
                session.InsertLicense(new LicenseRecord(cal, $"PC-{i}", null, null, "host-bulk"));
            }

            return 0;
        }, CancellationToken.None);

        var all = 0;
        string? last = null;
        var ordered = true;
        await foreach (var license in _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { IncludeExpired = true }).ResponseStream.ReadAllAsync())
        {
            ordered &= last is null || string.CompareOrdinal(last, license.LicenseId) < 0;
            last = license.LicenseId;
            all++;
        }

        Assert.Equal(count, all);
        Assert.True(ordered);
        var current = await CountAsync(new ListIssuedLicensesRequest());
        Assert.Equal(90_000, current);
        Assert.Equal(10_000, await CountAsync(new ListIssuedLicensesRequest { Status = CalStatus.Expired }));
        Assert.Equal(1_000, await CountAsync(new ListIssuedLicensesRequest { ProductVersion = ProductVersion._2019, IncludeExpired = true }));
        var one = await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { Subject = "bulk-77777" }).ToListAsync();
        Assert.Equal("PC-77777", Assert.Single(one).ComputerName);
    }

    [Fact]
    public async Task TheAuditTrailResumesAfterTheLastSequenceSeen()
    {
        for (var i = 0; i < 5; i++)
        {
            await _host.Client.RequestLicenseAsync(Requests.Device($"hw-{i}"));
        }

        var firstTwo = await _host.Client.GetAuditTrail(new GetAuditTrailRequest { Limit = 2 }).ToListAsync();
        Assert.Equal(2, firstTwo.Count);
        var rest = await _host.Client.GetAuditTrail(new GetAuditTrailRequest { AfterSequence = firstTwo[^1].Sequence }).ToListAsync();

        Assert.Equal(3, rest.Count);
        Assert.True(rest.Zip(rest.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
        Assert.True(rest[0].Sequence > firstTwo[^1].Sequence);
        Assert.Equal(["hw-0", "hw-1", "hw-2", "hw-3", "hw-4"], firstTwo.Concat(rest).Select(e => e.Subject));
        Assert.All(firstTwo.Concat(rest), e => Assert.Equal(AuditEventType.LicenseIssued, e.Type));
        Assert.Empty(await _host.Client.GetAuditTrail(new GetAuditTrailRequest { AfterSequence = rest[^1].Sequence }).ToListAsync());
    }

    [Fact]
    public async Task ListingFiltersByTypeAndDomain()
    {
        await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));
        await _host.Client.RequestLicenseAsync(Requests.User("alice"));
        await _host.Client.RequestLicenseAsync(Requests.User("bob", "FABRIKAM"));

        var users = await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { CalType = CalType.PerUser }).ToListAsync();
        var fabrikam = await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { UserDomain = "fabrikam" }).ToListAsync();

        Assert.Equal(2, users.Count);
        Assert.Equal("FABRIKAM\\bob", Assert.Single(fabrikam).Subject);
    }

    [Fact]
    public async Task BadStreamFiltersAreRefused()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { KeyPackId = "x" }).ToListAsync());
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["key_pack_id"], ex.ViolatedFields());

        var audit = await Assert.ThrowsAsync<RpcException>(() =>
            _host.Client.GetAuditTrail(new GetAuditTrailRequest { AfterSequence = -1 }).ToListAsync());
        Assert.Equal(["after_sequence"], audit.ViolatedFields());
    }

    private async Task<int> CountAsync(ListIssuedLicensesRequest request)
    {
        var n = 0;
        await foreach (var _ in _host.Client.ListIssuedLicenses(request).ResponseStream.ReadAllAsync())
        {
            n++;
        }

        return n;
    }
}

/// <summary>ListIssuedLicenses resumes after a license id, so a console pages a long list without reading it all.</summary>
public sealed class LicensePagingTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task TheListingResumesAfterTheLastLicenseIdSeenAndKeepsItsFilters()
    {
        for (var i = 0; i < 6; i++)
        {
            await _host.Client.RequestLicenseAsync(Requests.Device($"hw-{i}"));
        }

        await _host.Client.RequestLicenseAsync(Requests.User("alice"));
        var all = await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { CalType = CalType.PerDevice }).ToListAsync();

        var rest = await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest
        {
            CalType = CalType.PerDevice,
            AfterLicenseId = all[2].LicenseId,
        }).ToListAsync();

        Assert.Equal(6, all.Count);
        Assert.Equal(all.Skip(3).Select(l => l.LicenseId), rest.Select(l => l.LicenseId));
    }

    [Fact]
    public async Task AResumeCursorThatIsNotALicenseIdIsRefused()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { AfterLicenseId = "page-2" }).ToListAsync());

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["after_license_id"], ex.ViolatedFields());
    }
}
