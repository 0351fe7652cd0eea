using Google.Protobuf;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.Security.Tests;

/// <summary>
/// A certificate admits a device only when this farm's license server signed it, for that device, and it has not
/// expired. After the grace period anything else is refused (during grace the device simply gets its own CAL back).
/// </summary>
public sealed class CertificateTests : IAsyncLifetime
{
    private readonly Platform _platform = new();
    private CalCertificate _certificate = null!;

    public async Task InitializeAsync()
    {
        await _platform.ConfigureHostAsync("host-1");
        _certificate = (await _platform.ConnectAsync("host-1", "device-1")).Certificate;
    }

    public async Task DisposeAsync() => await _platform.DisposeAsync();

    [Fact]
    public async Task ATamperedCertificateIsRefusedAsInvalid()
    {
        _platform.Time.Advance(TimeSpan.FromDays(30 + 91));
        var bytes = _certificate.Data.ToByteArray();
        bytes[bytes.Length / 2] ^= 0x01;

        var response = await _platform.ConnectAsync("host-1", "device-1", new CalCertificate { Data = ByteString.CopyFrom(bytes) });

        Assert.False(response.Admitted);
        Assert.Equal(ReasonCode.CertificateInvalid, response.Reason);
    }

    [Fact]
    public async Task RandomBytesPresentedAsACertificateAreRefusedAsInvalid()
    {
        _platform.Time.Advance(TimeSpan.FromDays(121));
        var noise = new byte[_certificate.Data.Length];
        new Random(7).NextBytes(noise);

        var response = await _platform.ConnectAsync("host-1", "device-1", new CalCertificate { Data = ByteString.CopyFrom(noise) });

        Assert.False(response.Admitted);
        Assert.Equal(ReasonCode.CertificateInvalid, response.Reason);
    }

    [Fact]
    public async Task ACertificateForAnotherDeviceIsRefusedAsInvalid()
    {
        _platform.Time.Advance(TimeSpan.FromDays(121));

        var response = await _platform.ConnectAsync("host-1", "device-2", _certificate);

        Assert.False(response.Admitted);
        Assert.Equal(ReasonCode.CertificateInvalid, response.Reason);
    }

    [Fact]
    public async Task ACertificateSignedByAnotherLicenseServerIsRefusedAsInvalid()
    {
        await using var elsewhere = new Platform();
        var foreign = await elsewhere.LicenseServerAs(TestKeys.SessionHost).RequestLicenseAsync(Clients.DeviceLicense("host-1", "device-1"));
        _platform.Time.Advance(TimeSpan.FromDays(121));

        var response = await _platform.ConnectAsync("host-1", "device-1", foreign.Certificate);

        Assert.NotEmpty(foreign.Certificate.Data);
        Assert.False(response.Admitted);
        Assert.Equal(ReasonCode.CertificateInvalid, response.Reason);
    }

    [Fact]
    public async Task AnExpiredTemporaryCertificateNoLongerAdmitsTheDevice()
    {
        // The temporary CAL lasts 90 days and grace 120: past both, the server will not issue a second one (R3, R5).
        _platform.Time.Advance(TimeSpan.FromDays(121));

        var response = await _platform.ConnectAsync("host-1", "device-1", _certificate);

        Assert.False(response.Admitted);
        Assert.Equal(ReasonCode.TemporaryCalExpired, response.Reason);
        Assert.Null(response.Certificate);
    }
}
