using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests;

public sealed class KeyPackTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new(new Dictionary<string, string?> { ["LicenseServer:Version"] = "2022" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task InstalledPackIsListedWithItsCountsAndAMaskedCode()
    {
        var installed = (await _host.Client.InstallKeyPackAsync(Requests.Retail("abcde-fghij-klmno-pqrst-uvwxy", count: 25))).KeyPack;

        var listed = Assert.Single((await _host.Client.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal(installed.KeyPackId, listed.KeyPackId);
        Assert.Equal((25, 0, 25), (listed.Total, listed.Issued, listed.Available));
        Assert.Equal(ProductVersion._2022, listed.ProductVersion);
        Assert.Equal(CalType.PerDevice, listed.CalType);
        Assert.EndsWith("VWXY", listed.Reference);
        Assert.DoesNotContain("ABCDE", listed.Reference);
    }

    [Fact]
    public async Task EveryBadFieldIsReportedAtOnce()
    {
        var ex = await Requests.RefusedAsync(() => _host.Client.InstallKeyPackAsync(new InstallKeyPackRequest
        {
            Program = KeyPackProgram.OpenLicense,
            OpenLicenseNumber = "123",
            AuthorizationNumber = "short",
            Count = 0,
        }));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(
            new[] { "authorization_number", "cal_type", "count", "open_license_number", "product_version" },
            ex.ViolatedFields().Order());
        Assert.Empty((await _host.Client.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
    }

    [Fact]
    public async Task AgreementPacksNeedTheirTypeAndSevenDigits()
    {
        var ex = await Requests.RefusedAsync(() => _host.Client.InstallKeyPackAsync(new InstallKeyPackRequest
        {
            Program = KeyPackProgram.Agreement,
            AgreementNumber = "12345678",
            ProductVersion = ProductVersion._2019,
            CalType = CalType.PerUser,
            Count = 5,
        }));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(new[] { "agreement_number", "agreement_type" }, ex.ViolatedFields().Order());
        Assert.Contains("7 digits", ex.Status.Detail);

        var ok = await _host.Client.InstallKeyPackAsync(new InstallKeyPackRequest
        {
            Program = KeyPackProgram.Agreement,
            AgreementType = AgreementType.Enterprise,
            AgreementNumber = "1234567",
            ProductVersion = ProductVersion._2019,
            CalType = CalType.PerUser,
            Count = 5,
        });
        Assert.Equal(AgreementType.Enterprise, ok.KeyPack.AgreementType);
    }

    [Fact]
    public async Task APackNewerThanTheServerNamesBothVersions()
    {
        var ex = await Requests.RefusedAsync(() => _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), version: ProductVersion._2025)));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("2022", ex.Status.Detail);
        Assert.Contains("2025", ex.Status.Detail);
    }

    [Fact]
    public async Task ACodeIsInstalledOnlyOnce()
    {
        await _host.Client.InstallKeyPackAsync(Requests.Retail("AAAAABBBBBCCCCCDDDDDEEEEE"));

        var ex = await Requests.RefusedAsync(() => _host.Client.InstallKeyPackAsync(Requests.Retail("aaaaa-bbbbb-ccccc-ddddd-eeeee")));

        Assert.Equal(StatusCode.AlreadyExists, ex.StatusCode);
        Assert.Contains("already installed", ex.Status.Detail);
        Assert.Single((await _host.Client.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
    }

    [Fact]
    public async Task RemovingMoreThanTheUnissuedLicensesSaysHowManyCanGo()
    {
        await _host.Client.ActivateAsync();
        var pack = (await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 5))).KeyPack;
        await _host.Client.PermanentDeviceAsync("dev-1");
        await _host.Client.PermanentDeviceAsync("dev-2");

        var ex = await Requests.RefusedAsync(() => _host.Client.RemoveLicensesAsync(new RemoveLicensesRequest { KeyPackId = pack.KeyPackId, Count = 4 }));
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("Only 3 of the 5", ex.Status.Detail);

        var removed = (await _host.Client.RemoveLicensesAsync(new RemoveLicensesRequest { KeyPackId = pack.KeyPackId, Count = 3 })).KeyPack;
        Assert.Equal((2, 2, 0), (removed.Total, removed.Issued, removed.Available));
    }

    [Fact]
    public async Task RemovingZeroLicensesIsInvalid()
    {
        var pack = (await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode()))).KeyPack;

        var ex = await Requests.RefusedAsync(() => _host.Client.RemoveLicensesAsync(new RemoveLicensesRequest { KeyPackId = pack.KeyPackId }));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["count"], ex.ViolatedFields());
    }

    [Fact]
    public async Task APackWithIssuedLicensesCannotBeUninstalled()
    {
        await _host.Client.ActivateAsync();
        var pack = (await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 5))).KeyPack;
        await _host.Client.PermanentDeviceAsync("dev-1");

        var ex = await Requests.RefusedAsync(() => _host.Client.UninstallKeyPackAsync(new UninstallKeyPackRequest { KeyPackId = pack.KeyPackId }));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("1 issued", ex.Status.Detail);
    }

    [Fact]
    public async Task AnEmptyPackIsUninstalledAndItsCodeCanBeInstalledAgain()
    {
        var code = Requests.NewCode();
        var pack = (await _host.Client.InstallKeyPackAsync(Requests.Retail(code))).KeyPack;

        await _host.Client.UninstallKeyPackAsync(new UninstallKeyPackRequest { KeyPackId = pack.KeyPackId });

        Assert.Empty((await _host.Client.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        await _host.Client.InstallKeyPackAsync(Requests.Retail(code));
        var types = (await _host.Client.GetAuditTrail(new GetAuditTrailRequest()).ToListAsync()).Select(e => e.Type);
        Assert.Equal([AuditEventType.KeyPackInstalled, AuditEventType.KeyPackUninstalled, AuditEventType.KeyPackInstalled], types);
    }

    [Fact]
    public async Task UnknownOrMalformedPackIdsAreRefused()
    {
        var unknown = await Requests.RefusedAsync(() => _host.Client.UninstallKeyPackAsync(new UninstallKeyPackRequest { KeyPackId = Guid.NewGuid().ToString() }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("ListKeyPacks", unknown.Status.Detail);

        var unknownRemove = await Requests.RefusedAsync(() => _host.Client.RemoveLicensesAsync(new RemoveLicensesRequest { KeyPackId = Guid.NewGuid().ToString(), Count = 1 }));
        Assert.Equal(StatusCode.NotFound, unknownRemove.StatusCode);

        var malformed = await Requests.RefusedAsync(() => _host.Client.UninstallKeyPackAsync(new UninstallKeyPackRequest { KeyPackId = "nope" }));
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        Assert.Equal(["key_pack_id"], malformed.ViolatedFields());
    }
}
