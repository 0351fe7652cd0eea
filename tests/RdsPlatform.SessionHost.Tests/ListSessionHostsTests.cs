using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;

namespace RdsPlatform.SessionHost.Tests;

public sealed class ListSessionHostsTests
{
    [Fact]
    public async Task HostsComePageByPageInHostIdOrderWithTheirGraceDaysLeft()
    {
        await using var farm = new Farm();
        foreach (var id in new[] { "rdsh-05", "rdsh-01", "RDSH-03", "rdsh-07", "rdsh-02", "rdsh-06", "rdsh-04" })
        {
            await farm.ConfigureAsync(id, LicensingMode.PerDevice);
        }

        farm.AdvanceDays(20);
        var pages = new List<ListSessionHostsResponse>();
        var token = "";
        do
        {
            var page = await farm.Gateway.ListSessionHostsAsync(new ListSessionHostsRequest { PageSize = 3, PageToken = token });
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal([3, 3, 1], pages.Select(p => p.Hosts.Count));
        Assert.All(pages, p => Assert.Equal(7, p.Total));
        Assert.Equal(["rdsh-01", "rdsh-02", "RDSH-03", "rdsh-04", "rdsh-05", "rdsh-06", "rdsh-07"], pages.SelectMany(p => p.Hosts).Select(h => h.HostId));
        Assert.All(pages.SelectMany(p => p.Hosts), h => Assert.Equal(100, h.GraceDaysLeft));
    }

    [Fact]
    public async Task AHostRegisteredBetweenPagesIsNeitherSkippedNorRepeated()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("b-host", LicensingMode.PerUser);
        await farm.ConfigureAsync("d-host", LicensingMode.PerUser);

        var first = await farm.Gateway.ListSessionHostsAsync(new ListSessionHostsRequest { PageSize = 1 });
        await farm.ConfigureAsync("a-host", LicensingMode.PerUser);
        await farm.ConfigureAsync("c-host", LicensingMode.PerUser);
        var second = await farm.Gateway.ListSessionHostsAsync(new ListSessionHostsRequest { PageSize = 10, PageToken = first.NextPageToken });

        Assert.Equal("b-host", Assert.Single(first.Hosts).HostId);
        Assert.Equal(["c-host", "d-host"], second.Hosts.Select(h => h.HostId));
        Assert.Equal("", second.NextPageToken);
        Assert.Equal(4, second.Total);
    }

    [Fact]
    public async Task AnEmptyGatewayListsNothingWithTheDefaultPageSize()
    {
        await using var farm = new Farm();

        var page = await farm.Gateway.ListSessionHostsAsync(new ListSessionHostsRequest());

        Assert.Empty(page.Hosts);
        Assert.Equal(0, page.Total);
        Assert.Equal("", page.NextPageToken);
    }

    [Theory]
    [InlineData(-1, "", "page_size")]
    [InlineData(501, "", "page_size")]
    [InlineData(10, "not-a-token", "page_token")]
    [InlineData(10, "aDF8YmFkIGlkIQ", "page_token")]
    public async Task PageSizesOutsideTheLimitsAndForeignTokensAreRefusedWithTheField(int pageSize, string token, string field)
    {
        await using var farm = new Farm();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            farm.Gateway.ListSessionHostsAsync(new ListSessionHostsRequest { PageSize = pageSize, PageToken = token }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations);
        Assert.Equal(field, violation.Field);
        Assert.False(string.IsNullOrWhiteSpace(violation.Description));
    }
}
