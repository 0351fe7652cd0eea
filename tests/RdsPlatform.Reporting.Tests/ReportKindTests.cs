using Google.Rpc;
using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.Reporting.Tests;

public class ReportKindTests
{
    [Fact]
    public async Task ReportWithoutKindOrWithTooLongDomainIsRefusedFieldByField()
    {
        await using var hosts = TestHosts.Start();

        var error = await Assert.ThrowsAsync<RpcException>(() => hosts.Reporting.GenerateReportAsync(
            new GenerateReportRequest { Domain = new string('d', 256) }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var fields = error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field).ToList();
        Assert.Equal(["kind", "domain"], fields);
        Assert.Empty((await hosts.Reporting.ListReportsAsync(new ListReportsRequest())).Reports);
    }

    [Fact]
    public async Task PerUserReportListsUsersOfOneDomainOrAllAndShowsOverUsedUsers()
    {
        await using var hosts = TestHosts.Start();
        var server = hosts.LicenseServer;
        await server.ActivateAsync();
        await server.InstallAsync(CalType.PerUser, ProductVersion._2022, 2);
        await server.SignInUserAsync("CONTOSO", "alice");
        await server.SignInUserAsync("CONTOSO", "bob");
        await server.SignInUserAsync("FABRIKAM", "carol");

        var all = await hosts.Reporting.GenerateAsync(ReportKind.PerUser);
        var contoso = await hosts.Reporting.GenerateAsync(ReportKind.PerUser, "contoso");

        Assert.Equal(3, all.EntryCount);
        Assert.Equal(1, all.Totals["overused"]);
        Assert.Equal(2, all.Totals["active"]);
        var users = (await hosts.Reporting.AllEntriesAsync(all.ReportId)).Select(e => e.PerUser).ToList();
        var carol = Assert.Single(users, u => u.UserName == "carol");
        Assert.Equal(("FABRIKAM", CalStatus.Overused, ProductVersion._2022, ""), (carol.UserDomain, carol.Status, carol.ProductVersion, carol.Tracking));
        Assert.Equal(hosts.Clock.GetUtcNow().AddDays(60), carol.ExpiresAt.ToDateTimeOffset());

        Assert.Equal("contoso", contoso.Domain);
        Assert.Equal(2, contoso.EntryCount);
        var contosoUsers = (await hosts.Reporting.AllEntriesAsync(contoso.ReportId)).Select(e => e.PerUser.UserName).Order().ToList();
        Assert.Equal(["alice", "bob"], contosoUsers);
    }

    [Fact]
    public async Task WorkgroupUsersAreReportedAsNotTracking()
    {
        await using var hosts = TestHosts.Start(scope: "Workgroup");
        var server = hosts.LicenseServer;
        await server.ActivateAsync();
        await server.InstallAsync(CalType.PerUser, ProductVersion._2022, 5);
        await server.SignInUserAsync("", "kiosk1");
        await server.SignInUserAsync("", "kiosk1");
        await server.SignInUserAsync("WORKGROUP", "kiosk2");

        var report = await hosts.Reporting.GenerateAsync(ReportKind.PerUser);
        var summary = await hosts.Reporting.GenerateAsync(ReportKind.Summary);

        var users = (await hosts.Reporting.AllEntriesAsync(report.ReportId)).Select(e => e.PerUser).ToList();
        Assert.Equal(["kiosk1", "kiosk2"], users.Select(u => u.UserName).Order());
        Assert.All(users, u => Assert.Equal("Not Tracking", u.Tracking));
        Assert.Equal(2, report.Totals["not_tracking"]);
        var pool = Assert.Single(await hosts.Reporting.AllEntriesAsync(summary.ReportId)).Summary;
        Assert.Equal((CalType.PerUser, Availability.NotTracking, 5L), (pool.CalType, pool.Availability, pool.Installed));
    }

    [Fact]
    public async Task PerDeviceReportShowsEachDeviceWithItsCal()
    {
        await using var hosts = TestHosts.Start();
        var server = hosts.LicenseServer;
        await server.ActivateAsync();
        var pack = await server.InstallAsync(CalType.PerDevice, ProductVersion._2022, 5);
        await server.ConnectDeviceAsync("HW-1", "PC-ONE");
        await server.ConnectDeviceAsync("HW-2", "PC-TWO");
        await server.ConnectDeviceAsync("HW-3", "PC-THREE", signIn: false);

        var all = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice);
        var ownDomain = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice, "CONTOSO");
        var otherDomain = await hosts.Reporting.GenerateAsync(ReportKind.PerDevice, "FABRIKAM");

        var devices = (await hosts.Reporting.AllEntriesAsync(all.ReportId)).Select(e => e.PerDevice).OrderBy(d => d.HardwareId).ToList();
        Assert.Equal(["HW-1", "HW-2", "HW-3"], devices.Select(d => d.HardwareId));
        Assert.Equal(["PC-ONE", "PC-TWO", "PC-THREE"], devices.Select(d => d.ComputerName));
        Assert.Equal([CalStatus.Permanent, CalStatus.Permanent, CalStatus.Temporary], devices.Select(d => d.Status));
        Assert.Equal([pack.KeyPackId, pack.KeyPackId, ""], devices.Select(d => d.KeyPackId));
        Assert.All(devices, d => Assert.Equal(ProductVersion._2022, d.ProductVersion));
        Assert.Equal(hosts.Clock.GetUtcNow().AddDays(90), devices[2].ExpiresAt.ToDateTimeOffset());
        Assert.Equal(2, all.Totals["permanent"]);
        Assert.Equal(1, all.Totals["temporary"]);
        Assert.Equal(3, ownDomain.EntryCount);
        Assert.Equal(0, otherDomain.EntryCount);
        Assert.Empty(await hosts.Reporting.AllEntriesAsync(otherDomain.ReportId));
    }

    [Fact]
    public async Task SummaryShowsInstalledIssuedAvailableAndAvailabilityPerVersionAndType()
    {
        await using var hosts = TestHosts.Start();
        var server = hosts.LicenseServer;
        await server.ActivateAsync();
        await server.InstallAsync(CalType.PerDevice, ProductVersion._2022, 10);
        await server.InstallAsync(CalType.PerUser, ProductVersion._2022, 2);
        await server.InstallAsync(CalType.PerUser, ProductVersion._2016, 50);
        for (var i = 1; i <= 9; i++)
        {
            await server.ConnectDeviceAsync($"HW-{i}", $"PC-{i}");
        }

        await server.ConnectDeviceAsync("HW-TEMP", "PC-TEMP", signIn: false);
        await server.SignInUserAsync("CONTOSO", "alice");
        await server.SignInUserAsync("CONTOSO", "bob");
        await server.SignInUserAsync("FABRIKAM", "carol");

        var report = await hosts.Reporting.GenerateAsync(ReportKind.Summary);
        var fabrikam = await hosts.Reporting.GenerateAsync(ReportKind.Summary, "FABRIKAM");

        var pools = (await hosts.Reporting.AllEntriesAsync(report.ReportId)).Select(e => e.Summary).ToList();
        Assert.Equal(3, pools.Count);
        var users2016 = pools.Single(p => p.ProductVersion == ProductVersion._2016);
        Assert.Equal((50L, 0L, 50L, 0L, Availability.Available), (users2016.Installed, users2016.Issued, users2016.Available, users2016.Overused, users2016.Availability));
        var devices = pools.Single(p => p.CalType == CalType.PerDevice);
        Assert.Equal((10L, 9L, 1L, 1L, Availability.Limited), (devices.Installed, devices.Issued, devices.Available, devices.Temporary, devices.Availability));
        var users2022 = pools.Single(p => p.CalType == CalType.PerUser && p.ProductVersion == ProductVersion._2022);
        Assert.Equal((2L, 2L, 0L, 1L, Availability.None), (users2022.Installed, users2022.Issued, users2022.Available, users2022.Overused, users2022.Availability));
        Assert.Equal(62, report.Totals["installed"]);
        Assert.Equal(1, report.Totals["overused"]);

        // A domain scope narrows the CALs counted (carol is FABRIKAM's OverUsed user; devices belong to CONTOSO).
        var fabrikamPools = (await hosts.Reporting.AllEntriesAsync(fabrikam.ReportId)).Select(e => e.Summary).ToList();
        Assert.Equal(1, fabrikamPools.Single(p => p.CalType == CalType.PerUser && p.ProductVersion == ProductVersion._2022).Overused);
        Assert.Equal(0, fabrikamPools.Single(p => p.CalType == CalType.PerDevice).Temporary);
    }

    [Fact]
    public async Task FailedPerUserReportListsUnservedRequestsWithCountsPerDomain()
    {
        await using var hosts = TestHosts.Start();
        var server = hosts.LicenseServer;
        await server.ActivateAsync();
        await server.InstallAsync(CalType.PerUser, ProductVersion._2022, 1);
        await server.SignInUserAsync("CONTOSO", "alice");
        await server.SignInUserAsync("CONTOSO", "bob");
        await server.SignInUserAsync("FABRIKAM", "carol");
        await server.SignInUserAsync("", "guest");

        var all = await hosts.Reporting.GenerateAsync(ReportKind.FailedPerUser);
        var contoso = await hosts.Reporting.GenerateAsync(ReportKind.FailedPerUser, "CONTOSO");

        var failures = (await hosts.Reporting.AllEntriesAsync(all.ReportId)).Select(e => e.FailedPerUser).ToList();
        Assert.Equal(["bob", "carol", "guest"], failures.Select(f => f.UserName).Order());
        Assert.Equal(ReasonCode.PerUserOverused, failures.Single(f => f.UserName == "bob").Reason);
        Assert.Equal(ReasonCode.PerUserNotTracked, failures.Single(f => f.UserName == "guest").Reason);
        Assert.All(failures, f => Assert.Equal(hosts.Clock.GetUtcNow(), f.TriedAt.ToDateTimeOffset()));
        Assert.Equal(3, all.Totals["failed"]);
        Assert.Equal(1, all.Totals["domain:CONTOSO"]);
        Assert.Equal(1, all.Totals["domain:FABRIKAM"]);
        Assert.Equal(1, all.Totals["domain:(no domain)"]);
        Assert.Equal("bob", Assert.Single(await hosts.Reporting.AllEntriesAsync(contoso.ReportId)).FailedPerUser.UserName);
    }
}
