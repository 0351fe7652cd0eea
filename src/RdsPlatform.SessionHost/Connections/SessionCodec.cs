// The in-process form of one session: a single byte array holding its expiry and what SignIn needs.
using System.Buffers.Binary;
using System.Text;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>
/// Packs a <see cref="SessionState"/> and the tick count it expires at into one array for <see cref="SessionRegistry"/>.
/// The registry holds up to <see cref="GatewayOptions.SessionCacheCapacity"/> sessions, all of which outlive gen0, so each
/// is one flat object (no wrapper, no JSON property names, no second copy of the session id, which is the key): about 120
/// bytes against the ~330 of the JSON the shared cache gets plus its wrapper (docs/performance.md, "Resident memory").
/// Layout: expiry (int64), flags, license id (16, when any), CAL expiry (UTC ticks and offset minutes, when any), then host id,
/// hardware id, computer name, user domain and user name, each as a uint16 length and UTF-8. Little-endian, process-local only.
/// </summary>
internal static class SessionCodec
{
    private const byte TemporaryFlag = 1;
    private const byte NotTrackedFlag = 2;
    private const byte LicenseFlag = 4;
    private const byte CalExpiryFlag = 8;

    public static byte[] Encode(SessionState session, long expiresAtTicks)
    {
        var hasLicense = session.LicenseId.HasValue;
        var hasExpiry = session.CalExpiresAt.HasValue;
        var length = 8 + 1 + (hasLicense ? 16 : 0) + (hasExpiry ? 10 : 0) + StringLength(session.HostId) + StringLength(session.HardwareId)
            + StringLength(session.ComputerName) + StringLength(session.UserDomain) + StringLength(session.UserName);
        var packed = new byte[length];
        var span = packed.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(span, expiresAtTicks);
        span[8] = (byte)((session.TemporaryCal ? TemporaryFlag : 0) | (session.NotTracked ? NotTrackedFlag : 0)
            | (hasLicense ? LicenseFlag : 0) | (hasExpiry ? CalExpiryFlag : 0));
        var at = 9;
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

    /// <summary>The <see cref="Environment.TickCount64"/> at which the packed session expires.</summary>
    public static long ExpiresAt(byte[] packed) => BinaryPrimitives.ReadInt64LittleEndian(packed);

    public static SessionState Decode(string sessionId, byte[] packed)
    {
        ReadOnlySpan<byte> span = packed;
        var flags = span[8];
        var at = 9;
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
