using System.Buffers;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Storage;
using Shared = RdsPlatform.ServiceDefaults.Mapping.ContractMapping;

namespace RdsPlatform.LicenseServer.Grpc;

/// <summary>
/// ListIssuedLicensePages answered with pages the license server writes itself: each CAL's IssuedLicense written in
/// protobuf's wire form straight from the listing's row (SQLite's UTF-8 text copied as it is stored), byte for byte what
/// the generated message would serialise, with no string, message or Timestamp per CAL. The generated binding of the
/// same method stays mapped behind it (<see cref="PreferEncodedLicensePages"/>); clients see the same method and messages.
/// </summary>
public static class EncodedLicensePages
{
    /// <summary>The RPC as served here: the request parsed as generated, each page sent as the bytes it was written as.</summary>
    internal static readonly Method<ListIssuedLicensesRequest, EncodedIssuedLicensePage> Method = new(
        MethodType.ServerStreaming,
        Contracts.Licensing.V1.LicenseServer.Descriptor.FullName,
        Contracts.Licensing.V1.LicenseServer.Descriptor.FindMethodByName("ListIssuedLicensePages").Name,
        Marshallers.Create(r => r.ToByteArray(), ListIssuedLicensesRequest.Parser.ParseFrom),
        Marshallers.Create<EncodedIssuedLicensePage>(Write, _ => throw new NotSupportedException("License pages are only ever sent by the license server.")));

    /// <summary>
    /// Routes ListIssuedLicensePages to this method's endpoint rather than the generated one (both are mapped: grpc-dotnet
    /// binds every method of the generated base). Required wherever <see cref="LicenseServerService"/> is mapped.
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder PreferEncodedLicensePages(this GrpcServiceEndpointConventionBuilder builder)
    {
        builder.Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder route && endpoint.Metadata.OfType<GrpcMethodMetadata>().Any(m => ReferenceEquals(m.Method, Method)))
            {
                route.Order = -1;
            }
        });
        return builder;
    }

    private static void Write(EncodedIssuedLicensePage page, SerializationContext context)
    {
        var bytes = page.Bytes.Span;
        context.SetPayloadLength(bytes.Length);
        context.GetBufferWriter().Write(bytes);
        context.Complete();
    }
}

/// <summary>One IssuedLicensePage message as its bytes (a slice of <see cref="IssuedLicensePageEncoder"/>'s buffer, sent before it is reused).</summary>
public sealed class EncodedIssuedLicensePage
{
    public ReadOnlyMemory<byte> Bytes { get; set; }
}

/// <summary>Adds <see cref="EncodedLicensePages.Method"/> to the license server's gRPC service, with the handler's attributes (its roles) as endpoint metadata.</summary>
internal sealed class EncodedLicensePagesMethodProvider : IServiceMethodProvider<LicenseServerService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<LicenseServerService> context)
    {
        var handler = typeof(LicenseServerService).GetMethod(nameof(LicenseServerService.ListIssuedLicensePages),
            [typeof(ListIssuedLicensesRequest), typeof(IServerStreamWriter<EncodedIssuedLicensePage>), typeof(ServerCallContext)])
            ?? throw new InvalidOperationException("LicenseServerService has no ListIssuedLicensePages for encoded pages.");
        // As grpc-dotnet's own binder: the service's attributes, then the method's (higher priority), then POST only.
        var metadata = new List<object>();
        metadata.AddRange(typeof(LicenseServerService).GetCustomAttributes(inherit: true));
        metadata.AddRange(handler.GetCustomAttributes(inherit: true));
        metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
        context.AddServerStreamingMethod(EncodedLicensePages.Method, metadata,
            (service, request, stream, call) => service.ListIssuedLicensePages(request, stream, call));
    }
}

/// <summary>
/// Writes the bulk listing's rows as IssuedLicensePage messages: each CAL's IssuedLicense in field order with proto3's
/// defaults left out (empty text, zero enums, false), times as Timestamps, the status shown at <c>now</c>; a page closes
/// at <c>pageSize</c> CALs or before it would pass <see cref="MaxPageBytes"/>. The pages of a batch stay valid until the
/// next row is added.
/// </summary>
public sealed class IssuedLicensePageEncoder(DateTimeOffset now, int pageSize) : IListingBatchBuilder<IReadOnlyList<ReadOnlyMemory<byte>>>, IDisposable
{
    /// <summary>A page's size limit: 1,000 CALs of the longest names fit gRPC's default 4 MB receive limit with room to spare.</summary>
    public const int MaxPageBytes = 1 << 20;

    private const uint LicensesTag = 1 << 3 | 2;
    private static readonly long UnixEpochSeconds = DateTimeOffset.UnixEpoch.UtcTicks / TimeSpan.TicksPerSecond;

    private byte[] _pages = ArrayPool<byte>.Shared.Rent(256 * 1024);
    private byte[] _entry = new byte[1024];
    private readonly List<(int Start, int Length)> _pageBounds = [];
    private readonly List<ReadOnlyMemory<byte>> _completed = [];
    private bool _batchCompleted;
    private int _length;
    private int _entryLength;
    private int _pageStart;
    private int _pageCount;

    public void Add<TColumns>(in ListingRow<TColumns> row) where TColumns : struct, IListingColumns
    {
        StartAfterCompleted();
        _entryLength = 0;
        Text(1, row.LicenseId);
        Text(2, row.KeyPackId);
        Number(3, (uint)Shared.ToContract(row.Type));
        Number(4, (uint)Shared.ToContract(row.Version));
        var expires = row.ExpiresAtTicks;
        Number(5, (uint)Shared.ToContract(IssuedCal.ShownStatus(row.Status, new DateTimeOffset(expires, TimeSpan.Zero), now)));
        Text(6, row.Subject);
        Text(7, row.ComputerName);
        Text(8, row.UserDomain);
        Text(9, row.UserName);
        Number(10, row.Validated ? 1u : 0u);
        Time(11, row.IssuedAtTicks);
        Time(12, expires);
        Time(13, row.AssignedAtTicks);
        Time(14, row.RevokedAtTicks);
        Text(15, row.SessionHostId);

        var framed = 1 + CodedOutputStream.ComputeRawVarint64Size((ulong)_entryLength) + _entryLength;
        if (_pageCount == pageSize || (_pageCount > 0 && _length - _pageStart + framed > MaxPageBytes))
        {
            ClosePage();
        }

        Reserve(ref _pages, _length, framed, pooled: true);
        _length = WriteVarint(_pages, _length, LicensesTag);
        _length = WriteVarint(_pages, _length, (ulong)_entryLength);
        _entry.AsSpan(0, _entryLength).CopyTo(_pages.AsSpan(_length));
        _length += _entryLength;
        _pageCount++;
    }

    /// <summary>The pages written since the last batch, in order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Complete()
    {
        StartAfterCompleted();
        if (_pageCount > 0)
        {
            ClosePage();
        }

        // Sliced only now: the buffer may have grown (and moved) since an earlier page of the batch was closed.
        foreach (var (start, length) in _pageBounds)
        {
            _completed.Add(_pages.AsMemory(start, length));
        }

        _batchCompleted = true;
        return _completed;
    }

    public void Dispose()
    {
        var pages = _pages;
        _pages = [];
        if (pages.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(pages);
        }
    }

    /// <summary>A new batch begins with the first call after <see cref="Complete"/>: the last batch's pages are done with.</summary>
    private void StartAfterCompleted()
    {
        if (_batchCompleted)
        {
            _batchCompleted = false;
            _completed.Clear();
            _pageBounds.Clear();
            _length = _pageStart = 0;
        }
    }

    private void ClosePage()
    {
        _pageBounds.Add((_pageStart, _length - _pageStart));
        _pageStart = _length;
        _pageCount = 0;
    }

    private void Text(int field, ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return;
        }

        Reserve(ref _entry, _entryLength, 1 + 5 + utf8.Length, pooled: false);
        _entryLength = WriteVarint(_entry, _entryLength, (uint)(field << 3 | 2));
        _entryLength = WriteVarint(_entry, _entryLength, (ulong)utf8.Length);
        utf8.CopyTo(_entry.AsSpan(_entryLength));
        _entryLength += utf8.Length;
    }

    private void Number(int field, uint value)
    {
        if (value == 0)
        {
            return;
        }

        Reserve(ref _entry, _entryLength, 1 + 5, pooled: false);
        _entryLength = WriteVarint(_entry, _entryLength, (uint)(field << 3));
        _entryLength = WriteVarint(_entry, _entryLength, value);
    }

    /// <summary>A google.protobuf.Timestamp as Timestamp.FromDateTimeOffset makes it (whole seconds since 1970, nanoseconds 0-999,999,900); none for <see cref="ListingRow{TColumns}.NoTime"/>.</summary>
    private void Time(int field, long ticks)
    {
        if (ticks < 0)
        {
            return;
        }

        var seconds = ticks / TimeSpan.TicksPerSecond - UnixEpochSeconds;
        var nanos = (uint)(ticks % TimeSpan.TicksPerSecond * 100);
        var length = (seconds == 0 ? 0 : 1 + CodedOutputStream.ComputeRawVarint64Size((ulong)seconds)) + (nanos == 0 ? 0 : 1 + CodedOutputStream.ComputeRawVarint64Size(nanos));
        Reserve(ref _entry, _entryLength, 2 + length, pooled: false);
        _entryLength = WriteVarint(_entry, _entryLength, (uint)(field << 3 | 2));
        _entryLength = WriteVarint(_entry, _entryLength, (ulong)length);
        if (seconds != 0)
        {
            _entry[_entryLength++] = 1 << 3;
            _entryLength = WriteVarint(_entry, _entryLength, (ulong)seconds);
        }

        if (nanos != 0)
        {
            _entry[_entryLength++] = 2 << 3;
            _entryLength = WriteVarint(_entry, _entryLength, nanos);
        }
    }

    private static void Reserve(ref byte[] buffer, int length, int more, bool pooled)
    {
        if (length + more <= buffer.Length)
        {
            return;
        }

        var grown = pooled ? ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, length + more)) : new byte[Math.Max(buffer.Length * 2, length + more)];
        buffer.AsSpan(0, length).CopyTo(grown);
        if (pooled)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        buffer = grown;
    }

    private static int WriteVarint(byte[] buffer, int at, ulong value)
    {
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[at++] = (byte)value;
        return at;
    }
}
