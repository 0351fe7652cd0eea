using System.Collections;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace RdsPlatform.Security.Tests;

/// <summary>
/// Builds valid protobuf messages of any type with hostile values: huge, empty, unicode and control-character strings,
/// extreme and negative numbers, unknown enum values, random and mutated bytes, out-of-range timestamps and durations,
/// and oversized repeated fields. Values known to the platform (ids, host names, a real certificate) are mixed in so
/// calls also get past the first checks.
/// </summary>
public sealed class HostileMessages(Random random, IReadOnlyList<string> knownValues, IReadOnlyList<byte[]> knownBytes)
{
    private static readonly string[] HostileStrings =
    [
        "", " ", "\0", "line\nbreak", "tab\tand\rreturn", "\u202Eevil", "💥🔥", "e\u0301", "\uFFFF", "\ud800", "*",
        "'; DROP TABLE licenses; --", "../../etc/passwd", "%00%0a", "http://evil.example/?q=1#x", "CONTOSO\\alice",
        new string('A', 256), new string('A', 257), new string('x', 70_000), "NUL\0inside",
    ];

    public IMessage Message(MessageDescriptor descriptor, int depth = 0)
    {
        var message = (IMessage)Activator.CreateInstance(descriptor.ClrType)!;
        if (descriptor.FullName == Timestamp.Descriptor.FullName || descriptor.FullName == Duration.Descriptor.FullName)
        {
            descriptor.FindFieldByName("seconds").Accessor.SetValue(message, Int64());
            descriptor.FindFieldByName("nanos").Accessor.SetValue(message, Int32());
            return message;
        }

        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            if (random.NextDouble() < 0.3 || (field.FieldType == FieldType.Message && depth > 3))
            {
                continue;
            }

            if (field.IsMap)
            {
                continue;
            }

            if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                var count = random.Next(10) switch { 0 => 1000, 1 => 100, _ => random.Next(4) };
                for (var i = 0; i < count; i++)
                {
                    list.Add(Value(field, depth));
                }
            }
            else
            {
                field.Accessor.SetValue(message, Value(field, depth));
            }
        }

        return message;
    }

    /// <summary>Bytes for the wire: random bytes, or a gRPC frame whose header lies about its payload.</summary>
    public byte[] WireBody()
    {
        var payload = RandomBytes(random.Next(0, 64));
        return random.Next(6) switch
        {
            0 => payload,
            1 => [0, .. BigEndian(payload.Length), .. payload],
            2 => [1, .. BigEndian(payload.Length), .. payload],
            3 => [0, .. BigEndian(payload.Length + random.Next(1, 1000)), .. payload],
            4 => [0, .. BigEndian(int.MaxValue), .. payload],
            _ => [0, .. BigEndian(payload.Length), .. payload, 0, .. BigEndian(payload.Length), .. payload],
        };
    }

    private object Value(FieldDescriptor field, int depth) => field.FieldType switch
    {
        FieldType.String => String(),
        FieldType.Bytes => ByteString.CopyFrom(Bytes()),
        FieldType.Bool => random.Next(2) == 0,
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => Int32(),
        FieldType.UInt32 or FieldType.Fixed32 => (uint)Int32(),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => Int64(),
        FieldType.UInt64 or FieldType.Fixed64 => (ulong)Int64(),
        FieldType.Double => random.Next(3) switch { 0 => double.NaN, 1 => double.MaxValue, _ => random.NextDouble() },
        FieldType.Float => (float)random.NextDouble(),
        FieldType.Enum => Enum(field.EnumType),
        FieldType.Message => Message(field.MessageType, depth + 1),
        _ => throw new NotSupportedException($"{field.FullName} has type {field.FieldType}."),
    };

    private string String() => random.Next(10) switch
    {
        < 4 => knownValues[random.Next(knownValues.Count)],
        < 7 => HostileStrings[random.Next(HostileStrings.Length)],
        7 => knownValues[random.Next(knownValues.Count)] + HostileStrings[random.Next(HostileStrings.Length)],
        _ => RandomText(random.Next(0, 300)),
    };

    private string RandomText(int length)
    {
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(random.Next(4) == 0 ? (char)random.Next(0, 0x20) : char.ConvertFromUtf32(random.Next(0x20, 0xD7FF)));
        }

        return text.ToString();
    }

    private byte[] Bytes()
    {
        if (knownBytes.Count == 0 || random.Next(3) == 0)
        {
            return RandomBytes(random.Next(10) == 0 ? 10_000 : random.Next(0, 600));
        }

        var bytes = knownBytes[random.Next(knownBytes.Count)].ToArray();
        switch (random.Next(4))
        {
            case 0:
                return bytes;
            case 1 when bytes.Length > 0:
                bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                return bytes;
            case 2:
                return bytes[..random.Next(0, bytes.Length + 1)];
            default:
                return [.. bytes, .. RandomBytes(random.Next(1, 50))];
        }
    }

    private int Int32() => random.Next(8) switch
    {
        0 => 0,
        1 => -1,
        2 => int.MaxValue,
        3 => int.MinValue,
        4 => random.Next(1, 1001),
        _ => random.Next(-1000, 100_000),
    };

    private long Int64() => random.Next(6) switch
    {
        0 => 0,
        1 => long.MaxValue,
        2 => long.MinValue,
        3 => -1,
        _ => random.NextInt64(-1_000_000, 400_000_000),
    };

    private int Enum(EnumDescriptor type) => random.Next(4) switch
    {
        0 => random.Next(3) switch { 0 => 99, 1 => -1, _ => int.MaxValue },
        _ => type.Values[random.Next(type.Values.Count)].Number,
    };

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
