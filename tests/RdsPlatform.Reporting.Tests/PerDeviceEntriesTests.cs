using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Reporting.Generation;
using RdsPlatform.Reporting.Storage;

namespace RdsPlatform.Reporting.Tests;

/// <summary>
/// Per Device entries copied from a license page's bytes are the entries the generator built from parsed CALs, byte for
/// byte: every field a Per Device report shows, empty and absent values, times at zero, statuses it does not know.
/// </summary>
public sealed class PerDeviceEntriesTests
{
    [Fact]
    public void EachCalOfAPageBecomesTheEntryBuiltFromTheParsedCal()
    {
        var page = new IssuedLicensePage
        {
            Licenses =
            {
                Cal("hw-1", "PC-1", CalStatus.Permanent, Guid.NewGuid().ToString()),
                Cal("hw-2", "", CalStatus.Temporary, ""),
                Cal("hw-\u00e9\"3,=x", "PC, \"three\"", CalStatus.Expired, "", issuedAt: new Timestamp(), expiresAt: null),
                Cal(new string('h', 600), "PC-4", CalStatus.Revoked, Guid.NewGuid().ToString()),
                Cal("hw-5", "PC-5", (CalStatus)99, "", version: ProductVersion.Unspecified),
                Cal("", "", CalStatus.Unspecified, "", issuedAt: null, expiresAt: null),
            },
        };
        var writer = new CapturingWriter();
        var statuses = new long[7];

        var added = PerDeviceEntries.Add(page.ToByteArray(), writer, statuses);

        Assert.Equal(page.Licenses.Count, added);
        Assert.Equal(page.Licenses.Select(l => Convert.ToHexString(BuiltFromParsed(l).ToByteArray())), writer.Entries.Select(Convert.ToHexString));
        Assert.Equal(page.Licenses.Select(BuiltFromParsed), writer.Entries.Select(e => ReportEntry.Parser.ParseFrom(e)));
        Assert.Equal([1L, 1, 1, 1, 1, 0, 0], statuses);
    }

    [Fact]
    public void ATruncatedPageIsRefused()
    {
        var bytes = new IssuedLicensePage { Licenses = { Cal("hw-1", "PC-1", CalStatus.Permanent, "") } }.ToByteArray();

        Assert.Throws<InvalidDataException>(() => PerDeviceEntries.Add(bytes.AsSpan(0, bytes.Length - 3), new CapturingWriter(), new long[7]));
    }

    /// <summary>The entry ReportGenerator built from each parsed CAL before entries were copied from the page's bytes.</summary>
    private static ReportEntry BuiltFromParsed(IssuedLicense license) => new()
    {
        PerDevice = new PerDeviceEntry
        {
            HardwareId = license.Subject,
            ComputerName = license.ComputerName,
            Status = license.Status,
            IssuedAt = license.IssuedAt,
            ExpiresAt = license.ExpiresAt,
            ProductVersion = license.ProductVersion,
            KeyPackId = license.KeyPackId,
        },
    };

    private static readonly Timestamp Issued = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567));

    private static IssuedLicense Cal(string subject, string computer, CalStatus status, string keyPack, ProductVersion version = ProductVersion._2022,
        Timestamp? issuedAt = null, Timestamp? expiresAt = null) => new()
    {
        // The fields a Per Device entry leaves out are set too, so that the copy must skip them.
        LicenseId = Guid.NewGuid().ToString(),
        KeyPackId = keyPack,
        CalType = CalType.PerDevice,
        ProductVersion = version,
        Status = status,
        Subject = subject,
        ComputerName = computer,
        UserDomain = "CONTOSO",
        UserName = "someone",
        Validated = true,
        IssuedAt = issuedAt,
        ExpiresAt = expiresAt,
        AssignedAt = Issued,
        RevokedAt = Issued,
        SessionHostId = "host-1",
    };

    private static IssuedLicense Cal(string subject, string computer, CalStatus status, string keyPack) =>
        Cal(subject, computer, status, keyPack, issuedAt: Issued, expiresAt: new Timestamp { Seconds = Issued.Seconds + 86_400 * 60, Nanos = 5 });

    private sealed class CapturingWriter : IReportWriter
    {
        public List<byte[]> Entries { get; } = [];

        public long Count => Entries.Count;

        public void Add(ReportEntry entry) => Entries.Add(entry.ToByteArray());

        public void AddEncoded(ReadOnlySpan<byte> entry) => Entries.Add(entry.ToArray());

        public void Complete(Report report)
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
