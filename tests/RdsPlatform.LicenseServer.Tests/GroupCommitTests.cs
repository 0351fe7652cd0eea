using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Storage;
using Core = RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Tests;

public sealed class GroupCommitTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task AFailingWriteInAGroupRollsBackAloneAndACancelledOneNeverRuns()
    {
        var now = (await _host.Client.GetServerInfoAsync(new GetServerInfoRequest())).Server.Now.ToDateTimeOffset();
        var store = _host.Services.GetRequiredService<ILicenseStore>();
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();

        // The first write holds the writer so that the next ones queue up and are committed together.
        var first = store.WriteAsync(session =>
        {
            holding.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            session.InsertLicense(License("group-first", now));
            return 1;
        }, CancellationToken.None);
        Assert.True(holding.Wait(TimeSpan.FromSeconds(30)));

        var failing = store.WriteAsync<int>(session =>
        {
            session.InsertLicense(License("group-rolled-back", now));
            throw new InvalidOperationException("This write fails after its insert.");
        }, CancellationToken.None);
        var succeeding = store.WriteAsync(session =>
        {
            session.InsertLicense(License("group-kept", now));
            return 2;
        }, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var ran = false;
        var cancelled = store.WriteAsync(session =>
        {
            ran = true;
            session.InsertLicense(License("group-cancelled", now));
            return 3;
        }, cancel.Token);
        await cancel.CancelAsync();
        release.Set();

        Assert.Equal(1, await first);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal("This write fails after its insert.", error.Message);
        Assert.Equal(2, await succeeding);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(ran);

        var subjects = (await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { IncludeExpired = true }).ToListAsync())
            .Select(l => l.Subject).Order().ToList();
        Assert.Equal(["group-first", "group-kept"], subjects);
    }

    private static LicenseRecord License(string subject, DateTimeOffset now) => new(
        new Core.IssuedCal(Guid.CreateVersion7(now), Core.CalType.PerDevice, Core.ProductVersion.WindowsServer2022, subject, Core.CalStatus.Temporary,
            null, now, now.AddDays(90)),
        "PC-" + subject, null, null, "host-group");
}
