using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests;

public sealed class RestartTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ARestartOnTheSameFolderLosesNothing()
    {
        await _host.Client.ActivateAsync();
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 4));
        var permanent = await _host.Client.PermanentDeviceAsync("hw-1");
        await _host.Client.RequestLicenseAsync(Requests.Device("hw-2"));
        var before = (await _host.Client.GetServerInfoAsync(new GetServerInfoRequest())).Server;
        var packsBefore = (await _host.Client.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks;
        var licensesBefore = await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest()).ToListAsync();
        var auditBefore = await _host.Client.GetAuditTrail(new GetAuditTrailRequest()).ToListAsync();

        await _host.RestartAsync();

        var after = (await _host.Client.GetServerInfoAsync(new GetServerInfoRequest())).Server;
        Assert.Equal(before.ServerId, after.ServerId);
        Assert.Equal(before.PublicKey, after.PublicKey);
        Assert.Equal(ActivationState.Activated, after.ActivationState);
        Assert.Equal(before.Contact, after.Contact);
        Assert.Equal(packsBefore, (await _host.Client.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal(licensesBefore, await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest()).ToListAsync());
        Assert.Equal(auditBefore, await _host.Client.GetAuditTrail(new GetAuditTrailRequest()).ToListAsync());
        Assert.True(File.Exists(Path.Combine(_host.DataDirectory, "license-server.db")));

        var again = await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));
        Assert.Equal(permanent.License.LicenseId, again.License.LicenseId);
        Assert.Equal(ReasonCode.ValidCal, again.Reason);
    }
}
