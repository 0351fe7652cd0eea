using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using System.Security.Cryptography;

namespace RdsPlatform.LicenseServer.Tests;

public sealed class ActivationTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ServerInfoShowsConfiguredIdentityAndAUsablePublicKey()
    {
        var info = (await _host.Client.GetServerInfoAsync(new GetServerInfoRequest())).Server;

        Assert.True(Guid.TryParse(info.ServerId, out _));
        Assert.Equal(ProductVersion._2025, info.Version);
        Assert.Equal(ServerScope.Domain, info.Scope);
        Assert.Equal("CONTOSO", info.Domain);
        Assert.Equal(ActivationState.NotActivated, info.ActivationState);
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(info.PublicKey.Span, out _);
        Assert.Equal(256, key.KeySize);
        Assert.NotNull(info.Now);
    }

    [Fact]
    public async Task ActivationWithoutContactDetailsNamesEveryMissingField()
    {
        var ex = await Requests.RefusedAsync(() => _host.Client.ActivateServerAsync(new ActivateServerRequest { Contact = new ContactDetails { Email = "x@y.z" } }));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["contact.first_name", "contact.last_name", "contact.company", "contact.country"], ex.ViolatedFields());
        Assert.Contains("first name", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
        var info = (await _host.Client.GetServerInfoAsync(new GetServerInfoRequest())).Server;
        Assert.Equal(ActivationState.NotActivated, info.ActivationState);
    }

    [Fact]
    public async Task ActivatingTwiceIsAFailedPrecondition()
    {
        var activated = await _host.Client.ActivateServerAsync(new ActivateServerRequest { Contact = Requests.Contact() });
        Assert.Equal(ActivationState.Activated, activated.Server.ActivationState);
        Assert.Equal("Ada", activated.Server.Contact.FirstName);

        var ex = await Requests.RefusedAsync(() => _host.Client.ActivateServerAsync(new ActivateServerRequest { Contact = Requests.Contact() }));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("already activated", ex.Status.Detail);
    }

    [Fact]
    public async Task DeactivateThenReactivateWithAReason()
    {
        await _host.Client.ActivateAsync();
        var deactivated = await _host.Client.DeactivateServerAsync(new DeactivateServerRequest { Reason = "moving hardware" });
        Assert.Equal(ActivationState.Deactivated, deactivated.Server.ActivationState);

        var missingReason = await Requests.RefusedAsync(() => _host.Client.ReactivateServerAsync(new ReactivateServerRequest()));
        Assert.Equal(StatusCode.InvalidArgument, missingReason.StatusCode);
        Assert.Contains("reason", missingReason.ViolatedFields());

        var reactivated = await _host.Client.ReactivateServerAsync(new ReactivateServerRequest { Reason = "new hardware ready" });
        Assert.Equal(ActivationState.Activated, reactivated.Server.ActivationState);
        Assert.Equal("Contoso", reactivated.Server.Contact.Company);
    }

    [Fact]
    public async Task ReactivatingANeverActivatedServerIsRefused()
    {
        var ex = await Requests.RefusedAsync(() => _host.Client.ReactivateServerAsync(new ReactivateServerRequest { Reason = "why not" }));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("never activated", ex.Status.Detail);
    }

    [Fact]
    public async Task DeactivatingANotActivatedServerIsRefused()
    {
        var ex = await Requests.RefusedAsync(() => _host.Client.DeactivateServerAsync(new DeactivateServerRequest()));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("not activated", ex.Status.Detail);
    }

    [Fact]
    public async Task ActivationEventsAreAudited()
    {
        await _host.Client.ActivateAsync();
        await _host.Client.DeactivateServerAsync(new DeactivateServerRequest { Reason = "maintenance" });

        var events = await _host.Client.GetAuditTrail(new GetAuditTrailRequest()).ToListAsync();

        Assert.Equal([AuditEventType.ServerActivated, AuditEventType.ServerDeactivated], events.Select(e => e.Type));
        Assert.Contains("maintenance", events[1].Detail);
    }
}
