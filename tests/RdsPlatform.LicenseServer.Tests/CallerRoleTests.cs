using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Testing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>GetServerInfo tells the caller the role of its key, so a console shows only what that key may do.</summary>
public sealed class CallerRoleTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(TestKeys.Admin, "admin")]
    [InlineData(TestKeys.Reporter, "reporter")]
    [InlineData(TestKeys.SessionHost, "session-host")]
    public async Task ServerInfoNamesTheRoleOfTheCallersKey(string key, string role)
    {
        var client = new LicenseServerClient(_host.Channel.WithBearer(key));

        var info = await client.GetServerInfoAsync(new GetServerInfoRequest());

        Assert.Equal(role, info.CallerRole);
    }
}
