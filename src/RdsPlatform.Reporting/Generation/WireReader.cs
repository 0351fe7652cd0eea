namespace RdsPlatform.Reporting.Generation;

/// <summary>Reads protobuf's wire format from a span; anything malformed is an <see cref="InvalidDataException"/>.</summary>
internal ref struct WireReader(ReadOnlySpan<byte> data)
{
    public const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    private ReadOnlySpan<byte> _rest = data;

    public readonly bool End => _rest.IsEmpty;

    /// <summary>The bytes not read yet.</summary>
    public readonly int Remaining => _rest.Length;

    public (int Field, int Wire) ReadTag()
    {
        var tag = ReadVarint();
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        var raw = ReadRawVarint();
        ulong value = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            value |= (ulong)(raw[i] & 0x7F) << (7 * i);
        }

        return value;
    }

    /// <summary>A varint's bytes as encoded (at most ten).</summary>
    public ReadOnlySpan<byte> ReadRawVarint()
    {
        for (var i = 0; i < _rest.Length && i < 10; i++)
        {
            if (_rest[i] < 0x80)
            {
                var raw = _rest[..(i + 1)];
                _rest = _rest[(i + 1)..];
                return raw;
            }
        }

        throw Malformed();
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)_rest.Length)
        {
            throw Malformed();
        }

        var value = _rest[..(int)length];
        _rest = _rest[(int)length..];
        return value;
    }

    public void Skip(int wire)
    {
        switch (wire)
        {
            case Varint: ReadRawVarint(); break;
            case LengthDelimited: ReadLengthDelimited(); break;
            case Fixed64: Take(8); break;
            case Fixed32: Take(4); break;
            default: throw Malformed();
        }
    }

    private void Take(int count)
    {
        if (count > _rest.Length)
        {
            throw Malformed();
        }

        _rest = _rest[count..];
    }

    private static InvalidDataException Malformed() => new("Malformed protobuf bytes: a license page from the license server, or a stored report entry.");
}
