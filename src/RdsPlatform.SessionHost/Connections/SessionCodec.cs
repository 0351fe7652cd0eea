// The packed form of one session, as the gateway holds it in process and writes it to the shared cache.
using System.Buffers.Binary;
using System.Text;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>
/// Packs a <see cref="SessionState"/> into one array: what <see cref="SessionSlots"/> holds in process and what the shared
/// cache stores, so a Connect serialises its session once (no JSON property names, no second copy of the session id, which
/// is the key: about 120 bytes against the ~330 of JSON; docs/performance.md, "Resident memory").
/// Layout: format (1), flags, license id (16, when any), CAL expiry (UTC ticks and offset minutes, when any), then host id,
/// hardware id, computer name, user domain and user name, each as a uint16 length and UTF-8. Little-endian. Replicas read
/// each other's sessions from the cache, so the layout is a contract: a change takes a new format byte, and readers keep
/// reading the older ones (the JSON of earlier versions starts with '{', never this format byte).
/// </summary>
internal static class SessionCodec
{
    /// <summary>The first byte of this layout.</summary>
    public const byte Format = 1;

    private const byte TemporaryFlag = 1;
    private const byte NotTrackedFlag = 2;
    private const byte LicenseFlag = 4;
    private const byte CalExpiryFlag = 8;

    public static byte[] Encode(SessionState session)
    {
        var hasLicense = session.LicenseId.HasValue;
        var hasExpiry = session.CalExpiresAt.HasValue;
        var length = 2 + (hasLicense ? 16 : 0) + (hasExpiry ? 10 : 0) + StringLength(session.HostId) + StringLength(session.HardwareId)
            + StringLength(session.ComputerName) + StringLength(session.UserDomain) + StringLength(session.UserName);
        var packed = new byte[length];
        var span = packed.AsSpan();
        span[0] = Format;
        span[1] = (byte)((session.TemporaryCal ? TemporaryFlag : 0) | (session.NotTracked ? NotTrackedFlag : 0)
            | (hasLicense ? LicenseFlag : 0) | (hasExpiry ? CalExpiryFlag : 0));
        var at = 2;
        if (session.LicenseId is { } licenseId)
        {
            licenseId.TryWriteBytes(span.Slice(at, 16));
            at += 16;
        }

        if (session.CalExpiresAt is { } calExpiresAt)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], calExpiresAt.UtcTicks);
            BinaryPrimitives.WriteInt16LittleEndian(span[(at + 8)..], (short)calExpiresAt.TotalOffsetMinutes);
            at += 10;
        }

        at = WriteString(span, at, session.HostId);
        at = WriteString(span, at, session.HardwareId);
        at = WriteString(span, at, session.ComputerName);
        at = WriteString(span, at, session.UserDomain);
        WriteString(span, at, session.UserName);
        return packed;
    }

    /// <summary>Whether <paramref name="packed"/> is in this layout (and not, for example, the JSON of an earlier version).</summary>
    public static bool IsPacked(ReadOnlySpan<byte> packed) => packed.Length >= 2 && packed[0] == Format;

    public static SessionState Decode(string sessionId, ReadOnlySpan<byte> span)
    {
        var flags = span[1];
        var at = 2;
        Guid? licenseId = null;
        if ((flags & LicenseFlag) != 0)
        {
            licenseId = new Guid(span.Slice(at, 16));
            at += 16;
        }

        DateTimeOffset? calExpiresAt = null;
        if ((flags & CalExpiryFlag) != 0)
        {
            var offset = TimeSpan.FromMinutes(BinaryPrimitives.ReadInt16LittleEndian(span[(at + 8)..]));
            calExpiresAt = new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(span[at..]) + offset.Ticks, offset);
            at += 10;
        }

        var hostId = ReadString(span, ref at);
        var hardwareId = ReadString(span, ref at);
        var computerName = ReadString(span, ref at);
        var userDomain = ReadString(span, ref at);
        var userName = ReadString(span, ref at);
        return new SessionState(sessionId, hostId, hardwareId, computerName, userDomain, userName, licenseId,
            (flags & TemporaryFlag) != 0, calExpiresAt, (flags & NotTrackedFlag) != 0);
    }

    // Names are at most 256 characters (RequestValidation.MaxNameLength), so a uint16 byte count always fits.
    private static int StringLength(string? value) => 2 + Encoding.UTF8.GetByteCount(value ?? "");

    private static int WriteString(Span<byte> span, int at, string? value)
    {
        var written = Encoding.UTF8.GetBytes(value ?? "", span[(at + 2)..]);
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], checked((ushort)written));
        return at + 2 + written;
    }

    private static string ReadString(ReadOnlySpan<byte> span, ref int at)
    {
        int length = BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
        var value = length == 0 ? "" : Encoding.UTF8.GetString(span.Slice(at + 2, length));
        at += 2 + length;
        return value;
    }
}
