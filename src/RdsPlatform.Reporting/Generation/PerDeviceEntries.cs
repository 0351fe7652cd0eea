using System.Buffers;
using RdsPlatform.Reporting.Storage;

namespace RdsPlatform.Reporting.Generation;

/// <summary>
/// Per Device report entries straight from the bytes of a license page (<see cref="EncodedLicensePage"/>): the fields of
/// each IssuedLicense that a PerDeviceEntry shows are copied as encoded under the entry's field numbers, in field order,
/// absent ones left out, which is the encoding ReportGenerator's parsed-and-rebuilt entry had, without decoding a string
/// or a time. Parsing each CAL and encoding it again were a third of the reporting service's time in a 1M-CAL report.
/// </summary>
public static class PerDeviceEntries
{
    private const int Varint = WireReader.Varint, LengthDelimited = WireReader.LengthDelimited;

    // IssuedLicensePage.licenses, then the IssuedLicense fields a PerDeviceEntry shows (license_server.proto).
    private const int PageLicenses = 1;
    private const int KeyPackId = 2, ProductVersion = 4, Status = 5, Subject = 6, ComputerName = 7, IssuedAt = 11, ExpiresAt = 12;

    // ReportEntry.per_device (field 2) and PerDeviceEntry's fields 1-7 (reporting.proto), as tags.
    private const byte PerDeviceTag = 2 << 3 | LengthDelimited;
    private const byte HardwareIdTag = 1 << 3 | LengthDelimited, ComputerNameTag = 2 << 3 | LengthDelimited, StatusTag = 3 << 3 | Varint;
    private const byte IssuedAtTag = 4 << 3 | LengthDelimited, ExpiresAtTag = 5 << 3 | LengthDelimited, VersionTag = 6 << 3 | Varint;
    private const byte KeyPackIdTag = 7 << 3 | LengthDelimited;

    /// <summary>
    /// Adds each CAL of <paramref name="page"/> (an IssuedLicensePage's bytes) to <paramref name="writer"/> as a Per Device
    /// entry, and counts it in <paramref name="statuses"/> at its shown status's number (statuses out of range are not counted);
    /// the number of entries added.
    /// </summary>
    public static int Add(ReadOnlySpan<byte> page, IReportWriter writer, Span<long> statuses)
    {
        var added = 0;
        var reader = new WireReader(page);
        while (!reader.End)
        {
            var (field, wire) = reader.ReadTag();
            if (field == PageLicenses && wire == LengthDelimited)
            {
                var status = AddEntry(reader.ReadLengthDelimited(), writer);
                added++;
                if ((ulong)status < (ulong)statuses.Length)
                {
                    statuses[(int)status]++;
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return added;
    }

    /// <summary>One IssuedLicense's entry; its status's number.</summary>
    private static long AddEntry(ReadOnlySpan<byte> cal, IReportWriter writer)
    {
        ReadOnlySpan<byte> keyPack = default, version = default, status = default, subject = default, computer = default;
        ReadOnlySpan<byte> issued = default, expires = default;
        bool hasIssued = false, hasExpires = false;
        var reader = new WireReader(cal);
        while (!reader.End)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case KeyPackId when wire == LengthDelimited: keyPack = reader.ReadLengthDelimited(); break;
                case ProductVersion when wire == Varint: version = reader.ReadRawVarint(); break;
                case Status when wire == Varint: status = reader.ReadRawVarint(); break;
                case Subject when wire == LengthDelimited: subject = reader.ReadLengthDelimited(); break;
                case ComputerName when wire == LengthDelimited: computer = reader.ReadLengthDelimited(); break;
                case IssuedAt when wire == LengthDelimited: issued = reader.ReadLengthDelimited(); hasIssued = true; break;
                case ExpiresAt when wire == LengthDelimited: expires = reader.ReadLengthDelimited(); hasExpires = true; break;
                default: reader.Skip(wire); break;
            }
        }

        // Proto3 leaves out empty strings and zero enums; a time is present (even empty) or absent.
        var body = Text(subject) + Text(computer) + Number(status) + Message(issued, hasIssued) + Message(expires, hasExpires)
            + Number(version) + Text(keyPack);
        var size = 1 + VarintSize((uint)body) + body;
        byte[]? rented = null;
        var entry = size <= 1024 ? stackalloc byte[size] : (rented = ArrayPool<byte>.Shared.Rent(size)).AsSpan(0, size);
        var at = 0;
        entry[at++] = PerDeviceTag;
        at += WriteVarint(entry[at..], (uint)body);
        at += WriteText(entry[at..], HardwareIdTag, subject);
        at += WriteText(entry[at..], ComputerNameTag, computer);
        at += WriteNumber(entry[at..], StatusTag, status);
        at += WriteMessage(entry[at..], IssuedAtTag, issued, hasIssued);
        at += WriteMessage(entry[at..], ExpiresAtTag, expires, hasExpires);
        at += WriteNumber(entry[at..], VersionTag, version);
        WriteText(entry[at..], KeyPackIdTag, keyPack);
        writer.AddEncoded(entry);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return IsZero(status) ? 0 : (long)new WireReader(status).ReadVarint();
    }

    private static bool IsZero(ReadOnlySpan<byte> varint) => varint.IsEmpty || varint is [0];

    private static int Text(ReadOnlySpan<byte> value) => value.IsEmpty ? 0 : 1 + VarintSize((uint)value.Length) + value.Length;

    private static int Message(ReadOnlySpan<byte> value, bool present) => present ? 1 + VarintSize((uint)value.Length) + value.Length : 0;

    private static int Number(ReadOnlySpan<byte> varint) => IsZero(varint) ? 0 : 1 + varint.Length;

    private static int WriteText(Span<byte> into, byte tag, ReadOnlySpan<byte> value) => value.IsEmpty ? 0 : WriteMessage(into, tag, value, true);

    private static int WriteMessage(Span<byte> into, byte tag, ReadOnlySpan<byte> value, bool present)
    {
        if (!present)
        {
            return 0;
        }

        into[0] = tag;
        var at = 1 + WriteVarint(into[1..], (uint)value.Length);
        value.CopyTo(into[at..]);
        return at + value.Length;
    }

    private static int WriteNumber(Span<byte> into, byte tag, ReadOnlySpan<byte> varint)
    {
        if (IsZero(varint))
        {
            return 0;
        }

        into[0] = tag;
        varint.CopyTo(into[1..]);
        return 1 + varint.Length;
    }

    private static int VarintSize(uint value) => value < 1 << 7 ? 1 : value < 1 << 14 ? 2 : value < 1 << 21 ? 3 : value < 1 << 28 ? 4 : 5;

    private static int WriteVarint(Span<byte> into, uint value) => ReportPages.WriteVarint(into, (int)value);
}
