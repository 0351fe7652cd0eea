using System.Security.Cryptography;

namespace RdsPlatform.Licensing;

/// <summary>The license server's signing key: signs CAL certificates with ECDSA P-256 / SHA-256 (IEEE P1363 signatures).</summary>
public sealed class CalCertificateSigner : IDisposable
{
    private readonly ECDsa _key;
    private readonly Lock _gate = new();

    private CalCertificateSigner(ECDsa key)
    {
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new ArgumentException("The signing key must be an ECDSA P-256 key.");
        }

        _key = key;
        PublicKey = key.ExportSubjectPublicKeyInfo();
    }

    /// <summary>The public key (SubjectPublicKeyInfo DER) that gateways verify with; published by GetServerInfo.</summary>
    public byte[] PublicKey { get; }

    /// <summary>A new random P-256 key.</summary>
    public static CalCertificateSigner Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Load a key saved with <see cref="ExportPkcs8PrivateKey"/>.</summary>
    public static CalCertificateSigner FromPkcs8PrivateKey(ReadOnlySpan<byte> pkcs8)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8, out _);
        }
        catch
        {
            key.Dispose();
            throw;
        }

        return new(key);
    }

    /// <summary>The private key, PKCS#8 DER, for the license server to persist.</summary>
    public byte[] ExportPkcs8PrivateKey()
    {
        lock (_gate)
        {
            return _key.ExportPkcs8PrivateKey();
        }
    }

    /// <summary>The signed certificate bytes: payload followed by its 64-byte signature.</summary>
    public byte[] Sign(CalCertificate certificate)
    {
        var payload = CalCertificateCodec.EncodePayload(certificate);
        var signed = new byte[payload.Length + CalCertificateCodec.SignatureLength];
        payload.CopyTo(signed, 0);
        int written;
        lock (_gate)
        {
            // ECDsa instances are not documented as thread-safe.
            _key.TrySignData(payload, signed.AsSpan(payload.Length), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out written);
        }

        if (written != CalCertificateCodec.SignatureLength)
        {
            throw new CryptographicException("ECDSA P-256 produced an unexpected signature length.");
        }

        return signed;
    }

    public void Dispose() => _key.Dispose();
}
