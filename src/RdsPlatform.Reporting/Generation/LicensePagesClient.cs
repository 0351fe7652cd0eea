using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.Reporting.Generation;

/// <summary>
/// The license server's client with one more way to call ListIssuedLicensePages: each page handed over as the bytes it
/// arrived in (<see cref="EncodedLicensePage"/>), for a reader that copies a few fields of each CAL without building
/// an <see cref="IssuedLicense"/> per CAL (<see cref="PerDeviceEntries"/>). Same method, same messages on the wire.
/// </summary>
public sealed class LicensePagesClient(CallInvoker callInvoker) : LicenseServer.LicenseServerClient(callInvoker)
{
    /// <summary>The HTTP client the license server is called through (in-process test farms route it by this name).</summary>
    public const string HttpClientName = ServiceDefaults.ResourceNames.LicenseServer;

    private static readonly Method<ListIssuedLicensesRequest, EncodedLicensePage> EncodedPages = new(
        MethodType.ServerStreaming,
        LicenseServer.Descriptor.FullName,
        LicenseServer.Descriptor.FindMethodByName("ListIssuedLicensePages").Name,
        Marshallers.Create(r => r.ToByteArray(), ListIssuedLicensesRequest.Parser.ParseFrom),
        Marshallers.Create<EncodedLicensePage>(
            (_, _) => throw new NotSupportedException("Encoded license pages are only ever received."),
            context => EncodedLicensePage.CopyOf(context.PayloadAsReadOnlySequence())));

    public AsyncServerStreamingCall<EncodedLicensePage> ListIssuedLicensePagesEncoded(ListIssuedLicensesRequest request, DateTime? deadline,
        CancellationToken cancellationToken) =>
        CallInvoker.AsyncServerStreamingCall(EncodedPages, null, new CallOptions(deadline: deadline, cancellationToken: cancellationToken), request);
}

/// <summary>
/// One IssuedLicensePage message as received, in an array from the shared pool (a page is about 150 KB: a new array
/// each would land on the large object heap); disposing it gives the array back.
/// </summary>
public sealed class EncodedLicensePage : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    private EncodedLicensePage(byte[] buffer, int length) => (_buffer, _length) = (buffer, length);

    public ReadOnlySpan<byte> Bytes => (_buffer ?? throw new ObjectDisposedException(nameof(EncodedLicensePage))).AsSpan(0, _length);

    public static EncodedLicensePage CopyOf(ReadOnlySequence<byte> payload)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        payload.CopyTo(buffer);
        return new EncodedLicensePage(buffer, (int)payload.Length);
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
