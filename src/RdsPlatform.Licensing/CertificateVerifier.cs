using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace RdsPlatform.Licensing;

/// <summary>The result of verifying a certificate's format and signature (no time- or request-dependent checks).</summary>
public readonly record struct CertificateVerification(CertificateCheckStatus Status, CalCertificate? Certificate);

/// <summary>
/// Verifies CAL certificates against one license server's public key, on the hot path of every connection.
/// Successful signature verifications are cached by SHA-256 of the bytes, so a repeated presentation costs one hash and one lookup;
/// subject, revocation, version and expiry are checked on every call because they depend on the request and the time.
/// </summary>
public sealed class CertificateVerifier : IDisposable
{
    private readonly byte[] _publicKey;
    private readonly ThreadLocal<ECDsa> _keys;
    private readonly ConcurrentDictionary<CertificateHash, CalCertificate> _verified = new();
    private readonly int _capacity;
    private int _count;
    private long _issued;
    private bool _distrusted;

    /// <param name="subjectPublicKeyInfo">The license server's P-256 public key (SubjectPublicKeyInfo DER); throws when it is not one.</param>
    /// <param name="cacheCapacity">Most verified certificates remembered; the cache is emptied when full (cheaper than LRU bookkeeping, and a miss only costs one ECDSA verify).</param>
    public CertificateVerifier(byte[] subjectPublicKeyInfo, int cacheCapacity = 100_000)
    {
        ArgumentNullException.ThrowIfNull(subjectPublicKeyInfo);
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheCapacity, 1);
        _publicKey = subjectPublicKeyInfo.ToArray();
        _capacity = cacheCapacity;
        using (var probe = LoadKey(_publicKey))
        {
            if (probe.KeySize != 256)
            {
                throw new ArgumentException("The license server key must be an ECDSA P-256 public key.", nameof(subjectPublicKeyInfo));
            }
        }

        // ECDsa instances are not documented as thread-safe, so each thread verifies with its own.
        _keys = new ThreadLocal<ECDsa>(() => LoadKey(_publicKey), trackAllValues: true);
    }

    /// <summary>How many verified certificates the cache holds now.</summary>
    public int CachedCount => Volatile.Read(ref _count);

    /// <summary>Check the format and signature; never throws for bad bytes.</summary>
    public CertificateVerification Verify(ReadOnlySpan<byte> certificate)
    {
        if (certificate.IsEmpty)
        {
            return new(CertificateCheckStatus.NotPresented, null);
        }

        var hash = CertificateHash.Of(certificate);
        if (_verified.TryGetValue(hash, out var cached))
        {
            return new(CertificateCheckStatus.Valid, cached);
        }

        if (!CalCertificateCodec.TryDecode(certificate, out var decoded, out var payloadLength))
        {
            return new(CertificateCheckStatus.Malformed, null);
        }

        var valid = _keys.Value!.VerifyData(
            certificate[..payloadLength],
            certificate[payloadLength..],
            HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        if (!valid)
        {
            return new(CertificateCheckStatus.BadSignature, null);
        }

        Remember(hash, decoded);
        return new(CertificateCheckStatus.Valid, decoded);
    }

    /// <summary>
    /// A certificate this verifier's license server has just returned, over the authenticated call that issued it: its
    /// answer is trusted as the call's reason code is, so the bytes are decoded without an ECDSA check (the caller keeps
    /// them, so the client's next presentation needs none either). The first one and every <paramref name="spotCheckEvery"/>-th
    /// after it are verified in full; once a spot check fails (the server signs with a key other than the one known here),
    /// every later certificate is verified until a new key replaces this verifier. <paramref name="spotCheckEvery"/> = 1
    /// verifies every one.
    /// </summary>
    public CertificateVerification TrustIssued(ReadOnlySpan<byte> certificate, Guid issuerId, int spotCheckEvery)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(spotCheckEvery, 1);
        if (Volatile.Read(ref _distrusted) || spotCheckEvery == 1 || Interlocked.Increment(ref _issued) % spotCheckEvery == 1)
        {
            var verified = Verify(certificate);
            if (verified.Status == CertificateCheckStatus.BadSignature)
            {
                Volatile.Write(ref _distrusted, true);
            }

            return verified.Status == CertificateCheckStatus.Valid && verified.Certificate!.IssuerId != issuerId
                ? new(CertificateCheckStatus.Malformed, null)
                : verified;
        }

        // Not remembered here: the caller keeps what it hands out (the gateway's token states), and a second copy in
        // this cache would only cost memory per new device.
        return CalCertificateCodec.TryDecode(certificate, out var decoded) && decoded.IssuerId == issuerId
            ? new(CertificateCheckStatus.Valid, decoded)
            : new(CertificateCheckStatus.Malformed, null);
    }

    /// <summary>True once a spot check of <see cref="TrustIssued"/> failed: the license server no longer signs with this key.</summary>
    public bool SpotCheckFailed => Volatile.Read(ref _distrusted);

    /// <summary>Everything a connection needs to know about a presented certificate (empty bytes: not presented).</summary>
    public CertificateCheck Check(ReadOnlySpan<byte> certificate, CertificateExpectation expected, DateTimeOffset now, IRevocationList? revocations = null)
    {
        var verification = Verify(certificate);
        if (verification.Status != CertificateCheckStatus.Valid)
        {
            return new(verification.Status, null);
        }

        return Evaluate(verification.Certificate!, expected, now, revocations);
    }

    /// <summary>The request- and time-dependent checks on a certificate whose signature is already verified.</summary>
    public static CertificateCheck Evaluate(CalCertificate certificate, CertificateExpectation expected, DateTimeOffset now, IRevocationList? revocations = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var status =
            certificate.Type != expected.Type || !string.Equals(certificate.Subject, expected.Subject, StringComparison.OrdinalIgnoreCase)
                ? CertificateCheckStatus.WrongSubject
            : revocations?.IsRevoked(certificate.LicenseId) == true ? CertificateCheckStatus.Revoked
            : !VersionCompatibility.CalServesHost(certificate.Version, expected.HostVersion) ? CertificateCheckStatus.VersionIncompatible
            : now >= certificate.ExpiresAt ? CertificateCheckStatus.Expired
            : !certificate.Temporary && LicensingRules.IsRenewalDue(certificate.ExpiresAt, now) ? CertificateCheckStatus.RenewalDue
            : CertificateCheckStatus.Valid;
        return new(status, certificate);
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        _keys.Dispose();
    }

    private void Remember(CertificateHash hash, CalCertificate certificate)
    {
        if (Interlocked.Increment(ref _count) > _capacity)
        {
            _verified.Clear();
            Interlocked.Exchange(ref _count, 1);
        }

        if (!_verified.TryAdd(hash, certificate))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private static ECDsa LoadKey(byte[] spki)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(spki, out _);
            return key;
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new ArgumentException("The license server public key is not a valid SubjectPublicKeyInfo.", nameof(spki), e);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct CertificateHash(ulong A, ulong B, ulong C, ulong D)
    {
        public static CertificateHash Of(ReadOnlySpan<byte> bytes)
        {
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes, digest);
            return MemoryMarshal.Read<CertificateHash>(digest);
        }
    }
}
