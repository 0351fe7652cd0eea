using System.Security.Cryptography;

namespace RdsPlatform.Licensing.Tests;

public sealed class CertificateTests : IDisposable
{
    private readonly CalCertificateSigner _signer = CalCertificateSigner.Create();
    private readonly CertificateVerifier _verifier;

    public CertificateTests() => _verifier = new CertificateVerifier(_signer.PublicKey);

    private static CalCertificate Certificate(bool temporary = false, string subject = "HW-ÄÖ-0001", DateTimeOffset? expires = null) =>
        new(Guid.NewGuid(), Guid.NewGuid(), CalType.PerDevice, ProductVersion.WindowsServer2022, subject, temporary, At.T0, expires ?? At.Day(60));

    private static readonly CertificateExpectation Expected = new(CalType.PerDevice, "HW-ÄÖ-0001", ProductVersion.WindowsServer2022);

    [Fact]
    public void SignedCertificateVerifiesAndDecodesToTheSameValues()
    {
        var certificate = Certificate();

        var verification = _verifier.Verify(_signer.Sign(certificate));

        Assert.Equal(CertificateCheckStatus.Valid, verification.Status);
        Assert.Equal(certificate, verification.Certificate);
    }

    [Fact]
    public void AnyFlippedByteFailsVerification()
    {
        var bytes = _signer.Sign(Certificate());

        for (var i = 0; i < bytes.Length; i++)
        {
            var tampered = bytes.ToArray();
            tampered[i] ^= 0x01;

            Assert.NotEqual(CertificateCheckStatus.Valid, _verifier.Verify(tampered).Status);
        }
    }

    [Fact]
    public void CertificateSignedByAnotherServerHasABadSignature()
    {
        using var other = CalCertificateSigner.Create();

        Assert.Equal(CertificateCheckStatus.BadSignature, _verifier.Verify(other.Sign(Certificate())).Status);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { (byte)'R', (byte)'C', (byte)'A', (byte)'L', 2 })]
    public void GarbageIsRefusedWithoutThrowing(byte[] garbage)
    {
        var status = _verifier.Verify(garbage).Status;

        Assert.True(status is CertificateCheckStatus.NotPresented or CertificateCheckStatus.Malformed);
        Assert.False(CalCertificateCodec.TryDecode(garbage, out _));
    }

    [Fact]
    public void TruncatedOrExtendedCertificatesAreMalformed()
    {
        var bytes = _signer.Sign(Certificate());

        Assert.Equal(CertificateCheckStatus.Malformed, _verifier.Verify(bytes.AsSpan(0, bytes.Length - 1)).Status);
        Assert.Equal(CertificateCheckStatus.Malformed, _verifier.Verify([.. bytes, 0]).Status);
    }

    [Fact]
    public void RepeatedPresentationIsServedFromTheCache()
    {
        var bytes = _signer.Sign(Certificate());

        var first = _verifier.Verify(bytes);
        var second = _verifier.Verify(bytes);

        Assert.Equal(1, _verifier.CachedCount);
        Assert.Same(first.Certificate, second.Certificate);
    }

    [Fact]
    public void CacheStaysWithinItsCapacity()
    {
        using var verifier = new CertificateVerifier(_signer.PublicKey, cacheCapacity: 3);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(CertificateCheckStatus.Valid, verifier.Verify(_signer.Sign(Certificate())).Status);
            Assert.InRange(verifier.CachedCount, 1, 3);
        }
    }

    [Fact]
    public void FailedVerificationsAreNotCached()
    {
        using var other = CalCertificateSigner.Create();
        _verifier.Verify(other.Sign(Certificate()));

        Assert.Equal(0, _verifier.CachedCount);
    }

    [Fact]
    public void CheckReportsSubjectRevocationVersionExpiryAndRenewal()
    {
        var bytes = _signer.Sign(Certificate());
        var revoked = new RevokedIds();

        Assert.Equal(CertificateCheckStatus.Valid, _verifier.Check(bytes, Expected, At.Day(10)).Status);
        Assert.Equal(CertificateCheckStatus.Valid, _verifier.Check(bytes, Expected with { Subject = "hw-äö-0001" }, At.Day(10)).Status);
        Assert.Equal(CertificateCheckStatus.WrongSubject, _verifier.Check(bytes, Expected with { Subject = "HW-OTHER" }, At.Day(10)).Status);
        Assert.Equal(CertificateCheckStatus.WrongSubject, _verifier.Check(bytes, Expected with { Type = CalType.PerUser }, At.Day(10)).Status);
        Assert.Equal(CertificateCheckStatus.VersionIncompatible, _verifier.Check(bytes, Expected with { HostVersion = ProductVersion.WindowsServer2025 }, At.Day(10)).Status);
        Assert.Equal(CertificateCheckStatus.RenewalDue, _verifier.Check(bytes, Expected, At.Day(53)).Status);
        Assert.Equal(CertificateCheckStatus.Valid, _verifier.Check(bytes, Expected, At.Day(52)).Status);
        Assert.Equal(CertificateCheckStatus.Expired, _verifier.Check(bytes, Expected, At.Day(60)).Status);

        revoked.Ids.Add(_verifier.Verify(bytes).Certificate!.LicenseId);
        Assert.Equal(CertificateCheckStatus.Revoked, _verifier.Check(bytes, Expected, At.Day(10), revoked).Status);
        Assert.Equal(CertificateCheckStatus.NotPresented, _verifier.Check([], Expected, At.Day(10)).Status);
    }

    [Fact]
    public void TemporaryCertificateIsNeverDueForRenewal()
    {
        var bytes = _signer.Sign(Certificate(temporary: true, expires: At.Day(90)));

        var check = _verifier.Check(bytes, Expected, At.Day(88));

        Assert.Equal(CertificateCheckStatus.Valid, check.Status);
        Assert.True(check.Certificate!.Temporary);
    }

    [Fact]
    public void ExportedPrivateKeySignsCertificatesTheOldPublicKeyVerifies()
    {
        using var restored = CalCertificateSigner.FromPkcs8PrivateKey(_signer.ExportPkcs8PrivateKey());

        Assert.Equal(_signer.PublicKey, restored.PublicKey);
        Assert.Equal(CertificateCheckStatus.Valid, _verifier.Verify(restored.Sign(Certificate())).Status);
    }

    [Fact]
    public async Task CertificatesSignedOnManyThreadsAtOnceAllVerify()
    {
        // Each thread signs with its own copy of the key: every signature, from every thread, is the one key's.
        using var start = new Barrier(8);
        var signed = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return Enumerable.Range(0, 50).Select(_ => Certificate()).Select(c => (Certificate: c, Bytes: _signer.Sign(c))).ToList();
        }, TaskCreationOptions.LongRunning)));

        var all = signed.SelectMany(s => s).ToList();
        Assert.Equal(400, all.Count);
        Assert.All(all, s => Assert.Equal(s.Certificate, _verifier.Verify(s.Bytes).Certificate));
    }

    [Fact]
    public void SignerRefusesAKeyThatIsNotP256()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var refused = Assert.Throws<ArgumentException>(() => CalCertificateSigner.FromPkcs8PrivateKey(p384.ExportPkcs8PrivateKey()));
        Assert.Contains("P-256", refused.Message);
    }

    [Fact]
    public void AnExportedKeyIsACopyTheCallerCannotChange()
    {
        var exported = _signer.ExportPkcs8PrivateKey();
        Array.Clear(exported);

        using var restored = CalCertificateSigner.FromPkcs8PrivateKey(_signer.ExportPkcs8PrivateKey());
        Assert.Equal(CertificateCheckStatus.Valid, _verifier.Verify(restored.Sign(Certificate())).Status);
    }

    [Fact]
    public void VerifierRefusesAKeyThatIsNotAPublicKey() =>
        Assert.Throws<ArgumentException>(() => new CertificateVerifier([1, 2, 3]));

    [Fact]
    public void CertificateForAnIssuedCalCarriesItsFields()
    {
        var cal = new IssuedCal(Guid.NewGuid(), CalType.PerUser, ProductVersion.WindowsServer2019, @"CONTOSO\alice", CalStatus.Active, Guid.NewGuid(), At.T0, At.Day(60));
        var server = Guid.NewGuid();

        var certificate = CalCertificate.For(cal, server);

        Assert.Equal(new CalCertificate(cal.LicenseId, server, CalType.PerUser, ProductVersion.WindowsServer2019, @"CONTOSO\alice", false, At.T0, At.Day(60)), certificate);
        Assert.Equal(certificate, _verifier.Verify(_signer.Sign(certificate)).Certificate);
    }

    [Fact]
    public void OverUsedCalsCertificateSaysSoUnderTheSignature()
    {
        var cal = new IssuedCal(Guid.NewGuid(), CalType.PerUser, ProductVersion.WindowsServer2022, @"CONTOSOob", CalStatus.OverUsed, null, At.T0, At.Day(60));

        var bytes = _signer.Sign(CalCertificate.For(cal, Guid.NewGuid()));
        var verified = _verifier.Verify(bytes).Certificate;
        bytes[40] &= unchecked((byte)~0x02);

        Assert.True(verified!.OverUsed);
        Assert.False(verified.Temporary);
        Assert.Equal(CertificateCheckStatus.BadSignature, _verifier.Verify(bytes).Status);
    }

    [Fact]
    public void SubjectThatCannotBeEncodedIsACallerError() =>
        Assert.Throws<ArgumentException>(() => _signer.Sign(Certificate(subject: new string('x', CalCertificateCodec.MaxSubjectBytes + 1))));

    [Fact]
    public void AnIssuedCertificateIsTrustedWithoutVerificationBetweenSpotChecks()
    {
        var issuer = Guid.NewGuid();
        var issued = Enumerable.Range(0, 5).Select(_ => Certificate() with { IssuerId = issuer }).ToList();

        var results = issued.Select(c => _verifier.TrustIssued(_signer.Sign(c), issuer, spotCheckEvery: 4)).ToList();

        Assert.All(results, r => Assert.Equal(CertificateCheckStatus.Valid, r.Status));
        Assert.Equal(issued, results.Select(r => r.Certificate));
        // Only the two spot-checked ones went through Verify (and its cache): the 1st and the 5th.
        Assert.Equal(2, _verifier.CachedCount);
        Assert.False(_verifier.SpotCheckFailed);
    }

    [Fact]
    public void AServerSigningWithAnotherKeyIsCaughtAtTheNextSpotCheckAndThenEveryCertificateIsVerified()
    {
        using var other = CalCertificateSigner.Create();
        var issuer = Guid.NewGuid();
        byte[] Foreign() => other.Sign(Certificate() with { IssuerId = issuer });

        // 1st: spot-checked; 2nd-4th: trusted; 5th: spot-checked again.
        Assert.Equal(CertificateCheckStatus.Valid, _verifier.TrustIssued(_signer.Sign(Certificate() with { IssuerId = issuer }), issuer, 4).Status);
        for (var i = 2; i <= 4; i++)
        {
            Assert.Equal(CertificateCheckStatus.Valid, _verifier.TrustIssued(Foreign(), issuer, 4).Status);
        }

        Assert.Equal(CertificateCheckStatus.BadSignature, _verifier.TrustIssued(Foreign(), issuer, 4).Status);
        Assert.True(_verifier.SpotCheckFailed);
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(CertificateCheckStatus.BadSignature, _verifier.TrustIssued(Foreign(), issuer, 4).Status);
        }

        Assert.Equal(CertificateCheckStatus.Valid, _verifier.TrustIssued(_signer.Sign(Certificate() with { IssuerId = issuer }), issuer, 4).Status);
    }

    [Fact]
    public void AnIssuedCertificateOfAnotherIssuerOrUnreadableBytesAreRefusedEvenBetweenSpotChecks()
    {
        var issuer = Guid.NewGuid();
        Assert.Equal(CertificateCheckStatus.Valid, _verifier.TrustIssued(_signer.Sign(Certificate() with { IssuerId = issuer }), issuer, 100).Status);

        Assert.Equal(CertificateCheckStatus.Malformed, _verifier.TrustIssued(_signer.Sign(Certificate()), issuer, 100).Status);
        Assert.Equal(CertificateCheckStatus.Malformed, _verifier.TrustIssued([1, 2, 3], issuer, 100).Status);
        Assert.Equal(CertificateCheckStatus.Malformed, _verifier.TrustIssued(_signer.Sign(Certificate()), issuer, 1).Status);
    }

    [Fact]
    public void SpotCheckingEveryCertificateVerifiesEachOne()
    {
        using var other = CalCertificateSigner.Create();
        var issuer = Guid.NewGuid();

        Assert.Equal(CertificateCheckStatus.Valid, _verifier.TrustIssued(_signer.Sign(Certificate() with { IssuerId = issuer }), issuer, 1).Status);
        Assert.Equal(CertificateCheckStatus.BadSignature, _verifier.TrustIssued(other.Sign(Certificate() with { IssuerId = issuer }), issuer, 1).Status);
    }

    public void Dispose()
    {
        _verifier.Dispose();
        _signer.Dispose();
    }

    private sealed class RevokedIds : IRevocationList
    {
        public HashSet<Guid> Ids { get; } = [];

        public bool IsRevoked(Guid licenseId) => Ids.Contains(licenseId);
    }
}
