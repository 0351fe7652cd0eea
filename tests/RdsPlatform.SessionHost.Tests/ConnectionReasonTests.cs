using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>Every reason code of ConnectResponse, reached through the gateway and a real in-process license server.</summary>
public sealed class ConnectionReasonTests
{
    [Fact]
    public async Task NotConfiguredHostIsAdmittedDuringGraceAndRefusedAfterIt()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("rdsh-1", LicensingMode.NotConfigured);

        var during = await farm.ConnectDeviceAsync("rdsh-1", "dev-1");
        Assert.True(during.Admitted);
        Assert.Equal(ReasonCode.GracePeriod, during.Reason);
        Assert.Equal(120, during.GraceDaysLeft);

        farm.AdvanceDays(121);
        var after = await farm.ConnectDeviceAsync("rdsh-1", "dev-1");
        Assert.False(after.Admitted);
        Assert.Equal(ReasonCode.ModeNotConfigured, after.Reason);
        Assert.Contains("licensing mode is not configured", after.Message);
        Assert.Equal("", after.SessionId);
    }

    [Fact]
    public async Task PerDeviceFlowIssuesTemporaryUpgradesAfterSignInThenRenewsNearExpiry()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("rdsh-1", LicensingMode.PerDevice);
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerDevice, ProductVersion._2022, 5);

        var first = await farm.ConnectDeviceAsync("rdsh-1", "dev-1");
        Assert.True(first.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalIssued, first.Reason);
        Assert.True(first.CertificateDetails.Temporary);
        Assert.NotEmpty(first.Certificate.Data);

        var signIn = await farm.Gateway.SignInAsync(new SignInRequest { SessionId = first.SessionId });
        Assert.Contains("validated", signIn.Message);

        var second = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", first.Certificate);
        Assert.True(second.Admitted);
        Assert.Equal(ReasonCode.CalUpgraded, second.Reason);
        Assert.False(second.CertificateDetails.Temporary);
        Assert.Equal(first.CertificateDetails.LicenseId, second.CertificateDetails.LicenseId);

        var third = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", second.Certificate);
        Assert.True(third.Admitted);
        Assert.Equal(ReasonCode.ValidCal, third.Reason);
        Assert.Null(third.Certificate);

        var expires = second.CertificateDetails.ExpiresAt.ToDateTimeOffset();
        farm.Time.SetUtcNow(expires.AddDays(-3));
        var renewed = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", second.Certificate);
        Assert.True(renewed.Admitted);
        Assert.Equal(ReasonCode.CalRenewed, renewed.Reason);
        Assert.True(renewed.CertificateDetails.ExpiresAt.ToDateTimeOffset() > expires.AddDays(40));
        Assert.Equal(first.CertificateDetails.LicenseId, renewed.CertificateDetails.LicenseId);

        var issued = await farm.IssuedAsync(new ListIssuedLicensesRequest { CalType = CalType.PerDevice });
        Assert.Single(issued);
    }

    [Fact]
    public async Task PerUserDomainUsersAreRecordedAndWorkgroupUsersAreNotTracked()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("rdsh-u", LicensingMode.PerUser);
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerUser, ProductVersion._2022, 5);

        var domainUser = await farm.ConnectUserAsync("rdsh-u", "CONTOSO", "bob");
        Assert.True(domainUser.Admitted);
        Assert.Equal(ReasonCode.PerUserRecorded, domainUser.Reason);
        Assert.Equal("CONTOSO\\bob", domainUser.CertificateDetails.Subject);

        var signIn = await farm.Gateway.SignInAsync(new SignInRequest { SessionId = domainUser.SessionId });
        Assert.Equal(ReasonCode.PerUserRecorded, signIn.Reason);

        var workgroupUser = await farm.ConnectUserAsync("rdsh-u", "", "carol");
        Assert.True(workgroupUser.Admitted);
        Assert.Equal(ReasonCode.PerUserNotTracked, workgroupUser.Reason);
        Assert.Contains("Not Tracking", workgroupUser.Message);
    }

    [Fact]
    public async Task AfterGraceExpiredTemporaryCalIsRefusedWithOrWithoutItsCertificate()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("rdsh-1", LicensingMode.PerDevice);
        var first = await farm.ConnectDeviceAsync("rdsh-1", "dev-1");
        Assert.Equal(ReasonCode.TemporaryCalIssued, first.Reason);

        farm.AdvanceDays(121);
        var presented = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", first.Certificate);
        Assert.False(presented.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalExpired, presented.Reason);

        var lost = await farm.ConnectDeviceAsync("rdsh-1", "dev-1");
        Assert.False(lost.Admitted);
        Assert.Equal(ReasonCode.NoLicensesAvailable, lost.Reason);
        Assert.Contains("no Remote Desktop client access licenses available", lost.Message);
    }

    [Fact]
    public async Task AfterGraceNewDeviceIsRefusedWhenNoLicenseServerAnswers()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("rdsh-1", LicensingMode.PerDevice);
        farm.AdvanceDays(121);
        farm.LicenseServerDown = true;

        var response = await farm.ConnectDeviceAsync("rdsh-1", "dev-new");
        Assert.False(response.Admitted);
        Assert.Equal(ReasonCode.NoLicenseServer, response.Reason);
        Assert.Contains("no Remote Desktop License Servers available to provide a license", response.Message);
    }

    [Fact]
    public async Task AfterGraceTamperedCertificateIsRefusedAsInvalid()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("rdsh-1", LicensingMode.PerDevice);
        var first = await farm.ConnectDeviceAsync("rdsh-1", "dev-1");
        farm.AdvanceDays(121);

        var bytes = first.Certificate.Data.ToByteArray();
        bytes[bytes.Length / 2] ^= 0xFF;
        var response = await farm.ConnectDeviceAsync("rdsh-1", "dev-1", new CalCertificate { Data = Google.Protobuf.ByteString.CopyFrom(bytes) });
        Assert.False(response.Admitted);
        Assert.Equal(ReasonCode.CertificateInvalid, response.Reason);

        var otherDevice = await farm.ConnectDeviceAsync("rdsh-1", "dev-2", first.Certificate);
        Assert.False(otherDevice.Admitted);
        Assert.Equal(ReasonCode.CertificateInvalid, otherDevice.Reason);
    }

    [Fact]
    public async Task OlderCalPresentedToNewerHostIsRefusedAsVersionIncompatible()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("rdsh-2019", LicensingMode.PerDevice, ProductVersion._2019);
        await farm.ConfigureAsync("rdsh-2022", LicensingMode.PerDevice, ProductVersion._2022);
        await farm.ActivateAsync();
        await farm.InstallAsync(CalType.PerDevice, ProductVersion._2019, 5);

        var temporary = await farm.ConnectDeviceAsync("rdsh-2019", "dev-1");
        await farm.Gateway.SignInAsync(new SignInRequest { SessionId = temporary.SessionId });
        var upgraded = await farm.ConnectDeviceAsync("rdsh-2019", "dev-1", temporary.Certificate);
        Assert.Equal(ReasonCode.CalUpgraded, upgraded.Reason);
        Assert.Equal(ProductVersion._2019, upgraded.CertificateDetails.ProductVersion);

        // The 2022 host gives the device its one temporary 2022 CAL; it runs out unvalidated.
        var temporary2022 = await farm.ConnectDeviceAsync("rdsh-2022", "dev-1", upgraded.Certificate);
        Assert.Equal(ReasonCode.TemporaryCalIssued, temporary2022.Reason);

        var certificate = upgraded.Certificate;
        for (var day = 1; day <= 121; day++)
        {
            farm.AdvanceDays(1);
            var keepAlive = await farm.ConnectDeviceAsync("rdsh-2019", "dev-1", certificate);
            Assert.True(keepAlive.Admitted, $"day {day}: {keepAlive.Reason} {keepAlive.Message}");
            certificate = keepAlive.Certificate ?? certificate;
        }

        var refused = await farm.ConnectDeviceAsync("rdsh-2022", "dev-1", certificate);
        Assert.False(refused.Admitted);
        Assert.Equal(ReasonCode.CalVersionIncompatible, refused.Reason);
    }

    [Fact]
    public async Task UnknownHostAndUnknownSessionAreNotFound()
    {
        await using var farm = new Farm();
        var host = await Assert.ThrowsAsync<RpcException>(() => farm.ConnectDeviceAsync("nobody", "dev-1"));
        Assert.Equal(StatusCode.NotFound, host.StatusCode);
        Assert.Contains("ConfigureSessionHost", host.Status.Detail);

        var session = await Assert.ThrowsAsync<RpcException>(() =>
            farm.Gateway.DisconnectAsync(new DisconnectRequest { SessionId = Guid.NewGuid().ToString("N") }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, session.StatusCode);
    }

    [Fact]
    public async Task DisconnectEndsTheSession()
    {
        await using var farm = new Farm();
        await farm.ConfigureAsync("rdsh-1", LicensingMode.PerDevice);
        var connected = await farm.ConnectDeviceAsync("rdsh-1", "dev-1");

        await farm.Gateway.DisconnectAsync(new DisconnectRequest { SessionId = connected.SessionId });

        var again = await Assert.ThrowsAsync<RpcException>(() =>
            farm.Gateway.SignInAsync(new SignInRequest { SessionId = connected.SessionId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
    }
}

internal static class Eventually
{
    /// <summary>Repeats a connection until it returns the reason (revocations propagate asynchronously), for at most 15 s.</summary>
    public static async Task<ConnectResponse> ConnectUntil(Func<Task<ConnectResponse>> connect, ReasonCode reason)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var response = await connect();
            if (response.Reason == reason || DateTime.UtcNow > deadline)
            {
                return response;
            }

            await Task.Delay(100);
        }
    }
}
