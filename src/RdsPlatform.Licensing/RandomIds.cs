using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RdsPlatform.Licensing;

/// <summary>
/// Random identifiers (session ids, license ids) from the operating system's cryptographic generator, read 512 bytes at a
/// time per thread. <see cref="Guid.NewGuid"/> and <see cref="Guid.CreateVersion7(DateTimeOffset)"/> read it on every call:
/// on Linux with glibc 2.36 that is one <c>getrandom</c> system call per id, about 0.6 µs on these machines (virtual
/// machines whose system calls are dear) against about 0.02 µs from the buffer, and a gateway takes one for every admitted
/// Connect (docs/performance.md). The bytes are the same generator's; each is handed out once.
/// </summary>
public static class RandomIds
{
    private const int BufferSize = 512;

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int t_next;

    /// <summary>A random (version 4) UUID, as <see cref="Guid.NewGuid"/> makes.</summary>
    public static Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        Fill(bytes);
        return Stamped(bytes, version: 4);
    }

    /// <summary>
    /// A time-ordered (version 7) UUID for <paramref name="timestamp"/>, as <see cref="Guid.CreateVersion7(DateTimeOffset)"/>
    /// makes: the Unix time in milliseconds in the first 48 bits, 74 random bits after it.
    /// </summary>
    public static Guid NewVersion7(DateTimeOffset timestamp)
    {
        var milliseconds = timestamp.ToUnixTimeMilliseconds();
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds, nameof(timestamp));
        Span<byte> bytes = stackalloc byte[16];
        // The 48-bit millisecond in bytes 0-5 (bytes 6 and 7 of the write are then filled with random ones).
        BinaryPrimitives.WriteInt64BigEndian(bytes, milliseconds << 16);
        Fill(bytes[6..]);
        return Stamped(bytes, version: 7);
    }

    /// <summary>A session id: a random UUID as 32 lowercase hexadecimal digits (<c>Guid.ToString("N")</c>).</summary>
    public static string NewSessionId() => NewGuid().ToString("N");

    /// <summary>The RFC 9562 version nibble and variant 10xx set on big-endian UUID bytes, as the runtime's own ids have them.</summary>
    private static Guid Stamped(Span<byte> bytes, int version)
    {
        bytes[6] = (byte)((bytes[6] & 0x0F) | (version << 4));
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    private static void Fill(Span<byte> destination)
    {
        var buffer = t_buffer;
        if (buffer is null || t_next + destination.Length > BufferSize)
        {
            buffer = t_buffer ??= new byte[BufferSize];
            RandomNumberGenerator.Fill(buffer);
            t_next = 0;
        }

        var taken = buffer.AsSpan(t_next, destination.Length);
        taken.CopyTo(destination);
        // Handed out once: the copy kept here is cleared, so a later reader of this thread's buffer finds nothing used.
        taken.Clear();
        t_next += destination.Length;
    }
}
