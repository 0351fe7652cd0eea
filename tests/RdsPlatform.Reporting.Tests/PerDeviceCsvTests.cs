using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Reporting.Csv;
using RdsPlatform.Reporting.Storage;

namespace RdsPlatform.Reporting.Tests;

/// <summary>
/// The Per Device export written from stored bytes is, byte for byte, the text ReportCsv writes from parsed entries: cells
/// that need quotes, formula cells, text beyond ASCII, empty and absent values, times with fractions, words it has no
/// number for, and an entry of another kind.
/// </summary>
public sealed class PerDeviceCsvTests
{
    [Fact]
    public void RowsFromStoredBytesAreTheRowsOfParsedEntries()
    {
        var time = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999));
        ReportEntry Device(string hardware, string computer, CalStatus status, Timestamp? issued, Timestamp? expires, ProductVersion version, string pack) =>
            new() { PerDevice = new PerDeviceEntry { HardwareId = hardware, ComputerName = computer, Status = status, IssuedAt = issued, ExpiresAt = expires, ProductVersion = version, KeyPackId = pack } };
        var entries = new List<ReportEntry>
        {
            Device("HW-1", "PC-1", CalStatus.Permanent, time, time, ProductVersion._2022, Guid.NewGuid().ToString()),
            Device("hw,\"quoted\"", "line\r\nbreak", CalStatus.Temporary, new Timestamp(), null, ProductVersion._2016, ""),
            Device("=cmd|' /C calc'!A0", "-2+3", CalStatus.Expired, null, time, ProductVersion._2025, "@pack"),
            Device("+\"both\",", "caf\u00e9 \u4e2d\u6587 \U0001F600", CalStatus.Revoked, time, time, ProductVersion._2019, "x"),
            Device("", "", CalStatus.Unspecified, null, null, ProductVersion.Unspecified, ""),
            Device("HW-9", "PC-9", (CalStatus)42, time, time, (ProductVersion)42, ""),
            new() { Summary = new SummaryEntry { ProductVersion = ProductVersion._2022, CalType = CalType.PerDevice, Installed = 5 } },
        };
        var expected = new StringBuilder();
        var csv = new CsvWriter(expected);
        entries.ForEach(e => ReportCsv.WriteRow(csv, e));
        var page = new MemoryStream();
        entries.ForEach(e => e.WriteDelimitedTo(page));

        var rows = new PerDeviceCsv(chunkBytes: 1 << 20);
        var next = rows.WriteRows(page.ToArray(), 0);

        Assert.Equal(page.Length, next);
        Assert.Equal(expected.ToString(), Encoding.UTF8.GetString(rows.TakeChunk()));
    }

    [Fact]
    public void RowsStopAtTheChunkSizeAndGoOnWhereTheyStopped()
    {
        var page = new MemoryStream();
        for (var i = 0; i < 100; i++)
        {
            new ReportEntry { PerDevice = new PerDeviceEntry { HardwareId = $"HW-{i:D3}" } }.WriteDelimitedTo(page);
        }

        var rows = new PerDeviceCsv(chunkBytes: 64);
        var chunks = new List<string>();
        for (var at = 0; at < page.Length;)
        {
            at = rows.WriteRows(page.ToArray(), at);
            chunks.Add(Encoding.UTF8.GetString(rows.TakeChunk()));
        }

        Assert.All(chunks.SkipLast(1), c => Assert.InRange(c.Length, 64, 64 + 20));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"HW-{i:D3},,,,,,\r\n"), string.Concat(chunks).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(r => r + "\r\n"));
    }
}
