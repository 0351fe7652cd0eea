using System.Text;
using Google.Protobuf;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.LicenseServer.Storage;
using Core = RdsPlatform.Licensing;
using Wire = RdsPlatform.Contracts.Common.V1;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>
/// The license server's own writing of IssuedLicensePage messages (ListIssuedLicensePages): byte for byte what the generated
/// code serialises, for the values a store's row can hold, and pages closed at their CAL count or byte limit.
/// </summary>
public sealed class IssuedLicensePageEncoderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EachRowIsTheGeneratedMessageWhateverItsValues()
    {
        Row[] rows =
        [
            // Every text set (some beyond ASCII), every time with sub-second ticks, validated, a key pack.
            new("0193a1b2-0000-7000-8000-000000000001", "7c9e6679-7425-40de-944b-e07fc1f90ae7", Core.CalType.PerUser, Core.ProductVersion.WindowsServer2025,
                "CONTOSO\\jürgen", Core.CalStatus.Active, Now.AddDays(-3).AddTicks(1_234_567), Now.AddDays(30).AddTicks(1), true,
                Now.AddDays(-2).AddTicks(9_999_999), Now.AddHours(-1), "", "CONTOSO", "jürgen", "host-東京"),
            // Nothing optional: no key pack, no names, no assignment or revocation; zero enum values are left out as generated code does.
            new("0193a1b2-0000-7000-8000-000000000002", "", Core.CalType.PerDevice, Core.ProductVersion.WindowsServer2016, "hw-1",
                Core.CalStatus.Temporary, Now, Now.AddDays(90), false, null, null, "", "", "", ""),
            // Times on whole seconds, at the Unix epoch (an empty Timestamp), before 1970 (negative seconds) and at year 1.
            new("0193a1b2-0000-7000-8000-000000000003", "", Core.CalType.PerDevice, Core.ProductVersion.WindowsServer2022, "hw-2",
                Core.CalStatus.Revoked, DateTimeOffset.UnixEpoch, new DateTimeOffset(1969, 7, 20, 20, 17, 40, TimeSpan.Zero).AddTicks(5), false,
                DateTimeOffset.MinValue, Now, "PC-2", "", "", ""),
            // Stored Permanent but past its expiry: shown Expired, as ListIssuedLicenses shows it.
            new("0193a1b2-0000-7000-8000-000000000004", "7c9e6679-7425-40de-944b-e07fc1f90ae7", Core.CalType.PerDevice, Core.ProductVersion.WindowsServer2019,
                "hw-3", Core.CalStatus.Permanent, Now.AddDays(-100), Now.AddSeconds(-1), true, null, null, new string('x', 300), "", "", "host-1"),
        ];
        using var encoder = new IssuedLicensePageEncoder(Now, 1_000);

        foreach (var row in rows)
        {
            Add(encoder, row);
        }

        var pages = encoder.Complete();

        var expected = new IssuedLicensePage { Licenses = { rows.Select(Generated) } };
        Assert.Single(pages);
        Assert.Equal(expected, IssuedLicensePage.Parser.ParseFrom(pages[0].Span)); // a readable failure first
        Assert.Equal(expected.ToByteArray(), pages[0].ToArray());
        Assert.Equal(Wire.CalStatus.Expired, IssuedLicensePage.Parser.ParseFrom(pages[0].Span).Licenses[3].Status);
    }

    [Fact]
    public void APageClosesAtItsCalCountAndBeforeItsByteLimit()
    {
        using var encoder = new IssuedLicensePageEncoder(Now, pageSize: 3);
        var small = Enumerable.Range(0, 7).Select(i => Device(i, "PC")).ToList();
        // 300,000-byte names: three fit a page of 1 MiB, a fourth would not; the buffer grows (and moves) on the way.
        var large = Enumerable.Range(7, 5).Select(i => Device(i, new string('n', 300_000))).ToList();

        small.ForEach(row => Add(encoder, row));
        var first = encoder.Complete().Select(page => IssuedLicensePage.Parser.ParseFrom(page.Span)).ToList();
        large.ForEach(row => Add(encoder, row));
        var second = encoder.Complete().Select(page => IssuedLicensePage.Parser.ParseFrom(page.Span)).ToList();

        Assert.Equal([3, 3, 1], first.Select(p => p.Licenses.Count));
        Assert.Equal(small.Select(Generated), first.SelectMany(p => p.Licenses));
        Assert.Equal([3, 2], second.Select(p => p.Licenses.Count));
        Assert.Equal(large.Select(Generated), second.SelectMany(p => p.Licenses));
        Assert.All(second, p => Assert.True(p.CalculateSize() <= IssuedLicensePageEncoder.MaxPageBytes));
    }

    [Fact]
    public void ABatchWithoutRowsHasNoPage()
    {
        using var encoder = new IssuedLicensePageEncoder(Now, 1_000);
        Add(encoder, Device(1, "PC-1"));
        encoder.Complete();

        Assert.Empty(encoder.Complete());
    }

    private static Row Device(int i, string computer) => new($"0193a1b2-0000-7000-8000-{i:D12}", "", Core.CalType.PerDevice,
        Core.ProductVersion.WindowsServer2022, $"hw-{i}", Core.CalStatus.Temporary, Now.AddDays(-i), Now.AddDays(90 - i), i % 2 == 0, null, null,
        computer, "", "", "host-1");

    private static void Add(IssuedLicensePageEncoder encoder, Row row)
    {
        var listed = new ListingRow<RowColumns>(new RowColumns(row));
        encoder.Add(in listed);
    }

    /// <summary>The message LicenseServerMapping makes from the same CAL as a record.</summary>
    private static IssuedLicense Generated(Row row) => LicenseServerMapping.ToContract(new LicenseRecord(
        new Core.IssuedCal(Guid.Parse(row.LicenseId), row.Type, row.Version, row.Subject, row.Status,
            row.KeyPackId.Length == 0 ? null : Guid.Parse(row.KeyPackId), row.IssuedAt, row.ExpiresAt, row.Validated, row.AssignedAt, row.RevokedAt),
        Null(row.ComputerName), Null(row.UserDomain), Null(row.UserName), Null(row.SessionHostId)), Now);

    private static string? Null(string text) => text.Length == 0 ? null : text;

    private sealed record Row(string LicenseId, string KeyPackId, Core.CalType Type, Core.ProductVersion Version, string Subject, Core.CalStatus Status,
        DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, bool Validated, DateTimeOffset? AssignedAt, DateTimeOffset? RevokedAt,
        string ComputerName, string UserDomain, string UserName, string SessionHostId);

    /// <summary>The row as a store's reader gives it (LicenseRows.ListingColumns' order; NULLs as '' and -1).</summary>
    private readonly struct RowColumns(Row row) : IListingColumns
    {
        public ReadOnlySpan<byte> Utf8(int ordinal) => Encoding.UTF8.GetBytes(ordinal switch
        {
            0 => row.LicenseId,
            3 => row.Subject,
            5 => row.KeyPackId,
            11 => row.ComputerName,
            12 => row.UserDomain,
            13 => row.UserName,
            14 => row.SessionHostId,
            _ => throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, "Not a text column of the listing."),
        });

        public int Int32(int ordinal) => ordinal switch
        {
            1 => (int)row.Type,
            2 => (int)row.Version,
            4 => (int)row.Status,
            _ => throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, "Not an integer column of the listing."),
        };

        public long Int64(int ordinal) => ordinal switch
        {
            6 => row.IssuedAt.UtcTicks,
            7 => row.ExpiresAt.UtcTicks,
            8 => row.Validated ? 1 : 0,
            9 => row.AssignedAt?.UtcTicks ?? ListingRow<RowColumns>.NoTime,
            10 => row.RevokedAt?.UtcTicks ?? ListingRow<RowColumns>.NoTime,
            _ => throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, "Not a number column of the listing."),
        };
    }
}
