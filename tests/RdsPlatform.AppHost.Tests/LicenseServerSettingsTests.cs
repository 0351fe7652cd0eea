using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost.Tests;

/// <summary>The AppHost's LicenseServer:Version, :Scope and :Domain make the license server of the topology.</summary>
[Collection(TopologyCollection.Name)]
public sealed class LicenseServerSettingsTests(WorkgroupTopologyFixture workgroup, TopologyFixture standard)
{
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task ATopologyStartedWithA2019WorkgroupServerAnswersGetServerInfoWithThatVersionAndScope()
    {
        var admin = new LicenseServer.LicenseServerClient(workgroup.Invoker(ResourceNames.LicenseServer, TestKeys.Admin));

        var server = (await admin.GetServerInfoAsync(new GetServerInfoRequest(), deadline: Deadline)).Server;

        Assert.Equal(ProductVersion._2019, server.Version);
        Assert.Equal(ServerScope.Workgroup, server.Scope);
        // A workgroup server has no domain to report, whatever LicenseServer:Domain says.
        Assert.Equal("", server.Domain);
    }

    [Fact]
    public async Task TheVersionSettingDecidesWhichKeyPacksTheServerHosts()
    {
        var admin = new LicenseServer.LicenseServerClient(workgroup.Invoker(ResourceNames.LicenseServer, TestKeys.Admin));

        var refused = await Assert.ThrowsAsync<RpcException>(() => admin.InstallKeyPackAsync(new InstallKeyPackRequest
        {
            Program = KeyPackProgram.Retail,
            RetailCode = "AAAAA-BBBBB-CCCCC-DDDDD-20221",
            ProductVersion = ProductVersion._2022,
            CalType = CalType.PerDevice,
            Count = 5,
        }, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("2019 license server", refused.Status.Detail);
    }

    [Fact]
    public async Task WithoutTheSettingsTheLicenseServerIsA2025DomainServer()
    {
        var admin = new LicenseServer.LicenseServerClient(standard.Invoker(ResourceNames.LicenseServer, TestKeys.Admin));

        var server = (await admin.GetServerInfoAsync(new GetServerInfoRequest(), deadline: Deadline)).Server;

        Assert.Equal((ProductVersion._2025, ServerScope.Domain, "CONTOSO"), (server.Version, server.Scope, server.Domain));
    }

    [Theory]
    [InlineData("--LicenseServer:Version=2018", "LicenseServer:Version is '2018'; set it to 2016, 2019, 2022 or 2025")]
    [InlineData("--LicenseServer:Scope=Forest", "LicenseServer:Scope is 'Forest'; set it to Domain or Workgroup")]
    [InlineData("--LicenseServer:Domain=CONTOSO\\sales", "LicenseServer:Domain is 'CONTOSO\\sales'")]
    public async Task AnInvalidSettingStopsTheAppHostBeforeAnythingStartsWithASentenceNamingIt(string argument, string sentence)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var builder = await AppHostTopology.CreateBuilderAsync([argument, "--Cache:Mode=garnet"]);
            await using var app = await builder.BuildAsync();
        });

        var messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        Assert.Contains(sentence, messages);
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
