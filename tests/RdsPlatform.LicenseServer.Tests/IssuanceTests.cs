using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Licensing;
using CalStatus = RdsPlatform.Contracts.Common.V1.CalStatus;
using CalType = RdsPlatform.Contracts.Common.V1.CalType;
using ProductVersion = RdsPlatform.Contracts.Common.V1.ProductVersion;
using ReasonCode = RdsPlatform.Contracts.Common.V1.ReasonCode;

namespace RdsPlatform.LicenseServer.Tests;

public sealed class IssuanceTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task FirstDeviceRequestGetsANinetyDayTemporaryCalEvenUnactivated()
    {
        var response = await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));

        Assert.Equal(ReasonCode.TemporaryCalIssued, response.Reason);
        Assert.Equal(CalStatus.Temporary, response.License.Status);
        Assert.Equal(TimeSpan.FromDays(90), response.License.ExpiresAt.ToDateTimeOffset() - response.License.IssuedAt.ToDateTimeOffset());
        Assert.Equal("PC-hw-1", response.License.ComputerName);
        Assert.False(response.Certificate.Data.IsEmpty);
    }

    [Fact]
    public async Task TheCertificateVerifiesWithThePublishedKeyAndBindsTheDevice()
    {
        var info = (await _host.Client.GetServerInfoAsync(new GetServerInfoRequest())).Server;
        var response = await _host.Client.RequestLicenseAsync(Requests.Device("hw-cert"));

        using var verifier = new CertificateVerifier(info.PublicKey.ToByteArray());
        var verified = verifier.Verify(response.Certificate.Data.Span);

        Assert.Equal(CertificateCheckStatus.Valid, verified.Status);
        Assert.Equal("hw-cert", verified.Certificate!.Subject);
        Assert.Equal(Guid.Parse(info.ServerId), verified.Certificate.IssuerId);
        Assert.Equal(Guid.Parse(response.License.LicenseId), verified.Certificate.LicenseId);
        Assert.True(verified.Certificate.Temporary);
    }

    [Fact]
    public async Task TheSameDeviceNeverGetsASecondTemporaryCal()
    {
        var first = await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));
        var again = await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));

        Assert.Equal(ReasonCode.ValidCal, again.Reason);
        Assert.Equal(first.License.LicenseId, again.License.LicenseId);
        Assert.False(again.Certificate.Data.IsEmpty);
        Assert.Single(await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest()).ToListAsync());
    }

    [Fact]
    public async Task AValidatedTemporaryCalIsUpgradedWhenActivatedWithAFreeSeat()
    {
        await _host.Client.ActivateAsync();
        var pack = (await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 3))).KeyPack;
        var temporary = await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));
        var validated = await _host.Client.MarkLicenseValidatedAsync(new MarkLicenseValidatedRequest { LicenseId = temporary.License.LicenseId });
        Assert.True(validated.License.Validated);

        var upgraded = await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));

        Assert.Equal(ReasonCode.CalUpgraded, upgraded.Reason);
        Assert.Equal(CalStatus.Permanent, upgraded.License.Status);
        Assert.Equal(temporary.License.LicenseId, upgraded.License.LicenseId);
        Assert.Equal(pack.KeyPackId, upgraded.License.KeyPackId);
        var lifetime = upgraded.License.ExpiresAt.ToDateTimeOffset() - upgraded.License.IssuedAt.ToDateTimeOffset();
        Assert.InRange(lifetime.TotalDays, 52, 89);
        var listed = Assert.Single((await _host.Client.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal((1, 2), (listed.Issued, listed.Available));
        var types = (await _host.Client.GetAuditTrail(new GetAuditTrailRequest()).ToListAsync()).Select(e => e.Type).ToList();
        Assert.Equal([AuditEventType.LicenseIssued, AuditEventType.LicenseValidated, AuditEventType.LicenseUpgraded], types.Skip(2));
    }

    [Fact]
    public async Task AnUnactivatedServerKeepsTheTemporaryCal()
    {
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode()));

        var response = await _host.Client.PermanentDeviceAsync("hw-1");

        Assert.Equal(ReasonCode.ValidCal, response.Reason);
        Assert.Equal(CalStatus.Temporary, response.License.Status);
        Assert.Contains("not activated", response.Message);
    }

    [Fact]
    public async Task PerUserIsRecordedFromAPackThenOverUsedWhenSeatsRunOut()
    {
        await _host.Client.ActivateAsync();
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), CalType.PerUser, count: 1));

        var alice = await _host.Client.RequestLicenseAsync(Requests.User("Alice"));
        var bob = await _host.Client.RequestLicenseAsync(Requests.User("bob"));
        var aliceAgain = await _host.Client.RequestLicenseAsync(Requests.User("ALICE", "contoso"));

        Assert.Equal(ReasonCode.PerUserRecorded, alice.Reason);
        Assert.Equal(CalStatus.Active, alice.License.Status);
        Assert.Equal("CONTOSO\\alice", alice.License.Subject);
        Assert.Equal(TimeSpan.FromDays(60), alice.License.ExpiresAt.ToDateTimeOffset() - alice.License.IssuedAt.ToDateTimeOffset());
        Assert.Equal(ReasonCode.PerUserOverused, bob.Reason);
        Assert.Equal(CalStatus.Overused, bob.License.Status);
        Assert.Equal(alice.License.LicenseId, aliceAgain.License.LicenseId);
        var overused = await _host.Client.GetAuditTrail(new GetAuditTrailRequest { Types_ = { AuditEventType.LicenseOverused } }).ToListAsync();
        Assert.Equal("CONTOSO\\bob", Assert.Single(overused).Subject);
    }

    [Fact]
    public async Task APerUserCalIsExtendedWithinSevenDaysOfExpiry()
    {
        await _host.Client.ActivateAsync();
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), CalType.PerUser, count: 1));
        var first = await _host.Client.RequestLicenseAsync(Requests.User("alice"));

        await _host.AdvanceAsync(TimeSpan.FromDays(55));
        var extended = await _host.Client.RequestLicenseAsync(Requests.User("alice"));

        Assert.Equal(ReasonCode.CalRenewed, extended.Reason);
        Assert.Equal(TimeSpan.FromDays(120), extended.License.ExpiresAt.ToDateTimeOffset() - first.License.IssuedAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task UsersWithoutADomainAreNotTrackedButAudited()
    {
        var response = await _host.Client.RequestLicenseAsync(Requests.User("alice", domain: ""));

        Assert.Equal(ReasonCode.PerUserNotTracked, response.Reason);
        Assert.Null(response.License);
        var failed = Assert.Single(await _host.Client.GetAuditTrail(new GetAuditTrailRequest { Types_ = { AuditEventType.IssuanceFailed } }).ToListAsync());
        Assert.Equal(ReasonCode.PerUserNotTracked, failed.Reason);
        Assert.Empty(await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest()).ToListAsync());
    }

    [Fact]
    public async Task InvalidRequestsNameTheirFieldsAndChangeNothing()
    {
        var empty = await Requests.RefusedAsync(() => _host.Client.RequestLicenseAsync(new RequestLicenseRequest()));
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Equal(new[] { "cal_type", "session_host_version" }, empty.ViolatedFields().Order());

        var noHardware = await Requests.RefusedAsync(() => _host.Client.RequestLicenseAsync(Requests.Device("")));
        Assert.Equal(["hardware_id"], noHardware.ViolatedFields());
        Assert.Contains("hardware id", noHardware.Status.Detail);

        var noUser = await Requests.RefusedAsync(() => _host.Client.RequestLicenseAsync(Requests.User("")));
        Assert.Equal(["user_name"], noUser.ViolatedFields());

        var tooLong = Requests.Device(new string('x', 257));
        tooLong.ComputerName = new string('y', 300);
        var overlong = await Requests.RefusedAsync(() => _host.Client.RequestLicenseAsync(tooLong));
        Assert.Equal(new[] { "computer_name", "hardware_id" }, overlong.ViolatedFields().Order());
        Assert.Contains("256", overlong.Status.Detail);

        Assert.Empty(await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { IncludeExpired = true }).ToListAsync());
        Assert.Empty(await _host.Client.GetAuditTrail(new GetAuditTrailRequest()).ToListAsync());
    }

    [Fact]
    public async Task NoLicenseIsGivenAfterTheTemporaryCalExpiresWithoutUpgrade()
    {
        await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));
        await _host.AdvanceAsync(TimeSpan.FromDays(91));

        var response = await _host.Client.RequestLicenseAsync(Requests.Device("hw-1"));

        Assert.Equal(ReasonCode.NoLicensesAvailable, response.Reason);
        Assert.Null(response.License);
        Assert.Null(response.Certificate);
    }

    [Fact]
    public async Task RenewalInsideTheWindowGivesANewCertificateAndOutsideReturnsTheCal()
    {
        await _host.Client.ActivateAsync();
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode()));
        var permanent = await _host.Client.PermanentDeviceAsync("hw-1");
        var id = permanent.License.LicenseId;

        var early = await _host.Client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = id });
        Assert.Equal(ReasonCode.ValidCal, early.Reason);
        Assert.Equal(permanent.License.ExpiresAt, early.License.ExpiresAt);

        var untilWindow = permanent.License.ExpiresAt.ToDateTimeOffset() - permanent.License.IssuedAt.ToDateTimeOffset() - TimeSpan.FromDays(3);
        await _host.AdvanceAsync(untilWindow);
        var renewed = await _host.Client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = id, SessionHostId = "host-2" });

        Assert.Equal(ReasonCode.CalRenewed, renewed.Reason);
        Assert.True(renewed.License.ExpiresAt.ToDateTimeOffset() > permanent.License.ExpiresAt.ToDateTimeOffset());
        Assert.Equal("host-2", renewed.License.SessionHostId);
        Assert.NotEqual(permanent.Certificate.Data, renewed.Certificate.Data);
    }

    [Fact]
    public async Task RenewingAPermanentCalThatAlreadyExpiredSaysItExpired()
    {
        await _host.Client.ActivateAsync();
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode()));
        var permanent = await _host.Client.PermanentDeviceAsync("hw-1");
        await _host.AdvanceAsync(TimeSpan.FromDays(90));

        var late = await _host.Client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = permanent.License.LicenseId });

        Assert.Equal(ReasonCode.CalExpired, late.Reason);
        Assert.Contains("expired", late.Message);
        Assert.Null(late.Certificate);
    }

    [Fact]
    public async Task UnknownLicensesAreNotFound()
    {
        var renew = await Requests.RefusedAsync(() => _host.Client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = Guid.NewGuid().ToString() }));
        Assert.Equal(StatusCode.NotFound, renew.StatusCode);

        var validate = await Requests.RefusedAsync(() => _host.Client.MarkLicenseValidatedAsync(new MarkLicenseValidatedRequest { LicenseId = Guid.NewGuid().ToString() }));
        Assert.Equal(StatusCode.NotFound, validate.StatusCode);

        var malformed = await Requests.RefusedAsync(() => _host.Client.MarkLicenseValidatedAsync(new MarkLicenseValidatedRequest { LicenseId = "" }));
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        Assert.Equal(["license_id"], malformed.ViolatedFields());
    }

    [Fact]
    public async Task AnExpiredPermanentCalReturnsItsSeatToThePoolAndIsAudited()
    {
        await _host.Client.ActivateAsync();
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 1));
        var permanent = await _host.Client.PermanentDeviceAsync("hw-1");
        Assert.Equal(CalStatus.Permanent, permanent.License.Status);

        await _host.AdvanceAsync(TimeSpan.FromDays(90));
        var other = await _host.Client.PermanentDeviceAsync("hw-2");

        Assert.Equal(CalStatus.Permanent, other.License.Status);
        var reclaimed = Assert.Single(await _host.Client.GetAuditTrail(new GetAuditTrailRequest { Types_ = { AuditEventType.LicenseReclaimed } }).ToListAsync());
        Assert.Equal(permanent.License.LicenseId, reclaimed.LicenseId);
        var expired = Assert.Single(await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { Status = CalStatus.Expired }).ToListAsync());
        Assert.Equal("hw-1", expired.Subject);
        var pack = Assert.Single((await _host.Client.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal((1, 0), (pack.Issued, pack.Available));
    }
}
