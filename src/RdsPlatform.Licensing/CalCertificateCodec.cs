using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace RdsPlatform.Licensing;

/// <summary>
/// The compact binary form of a <see cref="CalCertificate"/>:
/// magic "RCAL", format version, license id, issuer id, type, version, flags (temporary, OverUsed), issued/expires (UTC ticks), subject (UTF-8, length-prefixed),
/// then a 64-byte ECDSA P-256 signature (IEEE P1363) over everything before it. All integers big-endian.
/// </summary>
public static class CalCertificateCodec
{
    public const byte FormatVersion = 1;
    public const int SignatureLength = 64;
    public const int MaxSubjectBytes = 512;

    private static ReadOnlySpan<byte> Magic => "RCAL"u8;
    private const int HeaderLength = 4 + 1 + 16 + 16 + 1 + 2 + 1 + 8 + 8 + 2;
    private const byte TemporaryFlag = 0x01;
    private const byte OverUsedFlag = 0x02;

    /// <summary>The unsigned payload; throws <see cref="ArgumentException"/> when the certificate cannot be encoded (caller bug, not client input).</summary>
    public static byte[] EncodePayload(CalCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var subjectLength = Encoding.UTF8.GetByteCount(certificate.Subject);
        if (subjectLength is 0 or > MaxSubjectBytes)
        {
            throw new ArgumentException($"The subject must be 1 to {MaxSubjectBytes} UTF-8 bytes.", nameof(certificate));
        }

        var buffer = new byte[HeaderLength + subjectLength];
        var span = buffer.AsSpan();
        Magic.CopyTo(span);
        span[4] = FormatVersion;
        certificate.LicenseId.TryWriteBytes(span.Slice(5, 16), bigEndian: true, out _);
        certificate.IssuerId.TryWriteBytes(span.Slice(21, 16), bigEndian: true, out _);
        span[37] = (byte)certificate.Type;
        BinaryPrimitives.WriteUInt16BigEndian(span.Slice(38, 2), (ushort)certificate.Version);
        span[40] = (byte)((certificate.Temporary ? TemporaryFlag : 0) | (certificate.OverUsed ? OverUsedFlag : 0));
        BinaryPrimitives.WriteInt64BigEndian(span.Slice(41, 8), certificate.IssuedAt.UtcTicks);
        BinaryPrimitives.WriteInt64BigEndian(span.Slice(49, 8), certificate.ExpiresAt.UtcTicks);
        BinaryPrimitives.WriteUInt16BigEndian(span.Slice(57, 2), (ushort)subjectLength);
        Encoding.UTF8.GetBytes(certificate.Subject, span[HeaderLength..]);
        return buffer;
    }

    /// <summary>Parse signed certificate bytes without checking the signature (use <see cref="CertificateVerifier"/> to trust them). Never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> signed, [NotNullWhen(true)] out CalCertificate? certificate) =>
        TryDecode(signed, out certificate, out _);

    internal static bool TryDecode(ReadOnlySpan<byte> signed, [NotNullWhen(true)] out CalCertificate? certificate, out int payloadLength)
    {
        certificate = null;
        payloadLength = 0;
        if (signed.Length < HeaderLength + 1 + SignatureLength || !signed[..4].SequenceEqual(Magic) || signed[4] != FormatVersion)
        {
            return false;
        }

        int subjectLength = BinaryPrimitives.ReadUInt16BigEndian(signed.Slice(57, 2));
        if (subjectLength is 0 or > MaxSubjectBytes || signed.Length != HeaderLength + subjectLength + SignatureLength)
        {
            return false;
        }

        var type = (CalType)signed[37];
        var version = (ProductVersion)BinaryPrimitives.ReadUInt16BigEndian(signed.Slice(38, 2));
        var flags = signed[40];
        var issued = BinaryPrimitives.ReadInt64BigEndian(signed.Slice(41, 8));
        var expires = BinaryPrimitives.ReadInt64BigEndian(signed.Slice(49, 8));
        if (!Enum.IsDefined(type) || !Enum.IsDefined(version) || (flags & ~(TemporaryFlag | OverUsedFlag)) != 0
            || !IsTicks(issued) || !IsTicks(expires))
        {
            return false;
        }

        string subject;
        try
        {
            subject = StrictUtf8.GetString(signed.Slice(HeaderLength, subjectLength));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        certificate = new CalCertificate(
            new Guid(signed.Slice(5, 16), bigEndian: true),
            new Guid(signed.Slice(21, 16), bigEndian: true),
            type,
            version,
            subject,
            (flags & TemporaryFlag) != 0,
            new DateTimeOffset(issued, TimeSpan.Zero),
            new DateTimeOffset(expires, TimeSpan.Zero),
            (flags & OverUsedFlag) != 0);
        payloadLength = HeaderLength + subjectLength;
        return true;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool IsTicks(long ticks) => ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks;
}
