using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;

namespace RdsPlatform.SessionHost.Tests;

public sealed class SessionHostSettingsTests
{
    [Fact]
    public async Task InvalidSettingsAreRefusedFieldByField()
    {
        await using var farm = new Farm();
        var request = new ConfigureSessionHostRequest
        {
            HostId = "bad host!",
            LicensingMode = LicensingMode.PerDevice,
            LicenseServers = { "license-server", "ftp://example", "a", "b", "c", "d", "e", "f", "g" },
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => farm.Gateway.ConfigureSessionHostAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var fields = error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations.Select(v => v.Field).ToList();
        Assert.Contains("host_id", fields);
        Assert.Contains("version", fields);
        Assert.Contains("license_servers", fields);
        Assert.Contains("license_servers[1]", fields);
        var missing = await Assert.ThrowsAsync<RpcException>(() => farm.Gateway.GetSessionHostAsync(new GetSessionHostRequest { HostId = "rdsh-1" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ReconfigurationAndRestartKeepTheGracePeriodStart()
    {
        await using var farm = new Farm();
        var created = await farm.ConfigureAsync("rdsh-1", LicensingMode.NotConfigured, ProductVersion._2019);
        farm.AdvanceDays(50);
        var changed = await farm.ConfigureAsync("rdsh-1", LicensingMode.PerUser, ProductVersion._2022, true, "license-server", "http://backup:5101");
        await farm.RestartGatewayAsync();

        var host = (await farm.Gateway.GetSessionHostAsync(new GetSessionHostRequest { HostId = "rdsh-1" })).Host;
        Assert.Equal(created.Host.GracePeriodStartedAt, host.GracePeriodStartedAt);
        Assert.Equal(70, host.GraceDaysLeft);
        Assert.Equal(LicensingMode.PerUser, host.LicensingMode);
        Assert.Equal(ProductVersion._2022, host.Version);
        Assert.True(host.PreventLicenseUpgrade);
        Assert.Equal(new[] { "license-server", "http://backup:5101" }, host.LicenseServers);
        Assert.Equal(changed.Host.ConfiguredAt, host.ConfiguredAt);

        farm.AdvanceDays(80);
        var grace = await farm.Gateway.GetGracePeriodAsync(new GetGracePeriodRequest { HostId = "rdsh-1" });
        Assert.Equal(0, grace.DaysLeft);
        Assert.False(grace.InGrace);
    }
}
