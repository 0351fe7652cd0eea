using System.Runtime.CompilerServices;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.Reporting.Generation;

/// <summary>
/// The reporting service's reads from the license server, each with a deadline: short for unary calls, generous
/// for streams (a million CALs), and always the caller's cancellation.
/// </summary>
public sealed class LicenseServerReader(LicensePagesClient client, IOptions<ReportingOptions> options)
{
    /// <summary>
    /// Pages received but not yet consumed at most: about 4,000 CALs (the license server's pages hold 1,000), bounded
    /// memory and enough to keep both sides busy.
    /// </summary>
    private const int PagesAhead = 4;

    public async Task<ServerInfo> GetServerAsync(CancellationToken cancellationToken)
    {
        var response = await client.GetServerInfoAsync(new GetServerInfoRequest(), deadline: Deadline(options.Value.CallDeadline), cancellationToken: cancellationToken);
        return response.Server ?? new ServerInfo();
    }

    public async Task<IReadOnlyList<KeyPack>> ListKeyPacksAsync(CancellationToken cancellationToken)
    {
        var response = await client.ListKeyPacksAsync(new ListKeyPacksRequest(), deadline: Deadline(options.Value.CallDeadline), cancellationToken: cancellationToken);
        return response.KeyPacks;
    }

    /// <summary>
    /// The unexpired CALs of <paramref name="statuses"/> counted by the license server per CAL type, version, status and
    /// user domain (a few rows, however many CALs).
    /// </summary>
    public async Task<IReadOnlyList<IssuedLicenseCount>> CountLicensesAsync(IEnumerable<Contracts.Common.V1.CalStatus> statuses, CancellationToken cancellationToken)
    {
        // The server walks every matching CAL: the stream's generous deadline, not a unary call's.
        var response = await client.CountIssuedLicensesAsync(new CountIssuedLicensesRequest { Statuses = { statuses } },
            deadline: Deadline(options.Value.StreamDeadline), cancellationToken: cancellationToken);
        return response.Counts;
    }

    /// <summary>
    /// Licenses as the license server lists them, read a page at a time (ListIssuedLicensePages) and ahead (<see cref="PagesAhead"/> pages) on another task, so that receiving and
    /// parsing the next messages overlaps with the caller writing the previous ones to its store.
    /// </summary>
    public async IAsyncEnumerable<IssuedLicense> StreamLicensesAsync(ListIssuedLicensesRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in ReadAhead.Of<IReadOnlyList<IssuedLicense>>(PagesAhead, async (pages, stop) =>
        {
            using var call = client.ListIssuedLicensePages(request, deadline: Deadline(options.Value.StreamDeadline), cancellationToken: stop);
            await foreach (var page in call.ResponseStream.ReadAllAsync(stop))
            {
                await pages.WriteAsync(page.Licenses, stop);
            }
        }, cancellationToken))
        {
            foreach (var license in page)
            {
                yield return license;
            }
        }
    }

    /// <summary>
    /// The same listing's pages as the bytes they arrived in, read ahead as <see cref="StreamLicensesAsync"/> reads; the
    /// caller disposes each page (pages it never received are left to the collector).
    /// </summary>
    public IAsyncEnumerable<EncodedLicensePage> StreamEncodedLicensePagesAsync(ListIssuedLicensesRequest request, CancellationToken cancellationToken) =>
        ReadAhead.Of<EncodedLicensePage>(PagesAhead, async (pages, stop) =>
        {
            using var call = client.ListIssuedLicensePagesEncoded(request, Deadline(options.Value.StreamDeadline), stop);
            await foreach (var page in call.ResponseStream.ReadAllAsync(stop))
            {
                await pages.WriteAsync(page, stop);
            }
        }, cancellationToken);

    public async IAsyncEnumerable<AuditEvent> StreamAuditAsync(GetAuditTrailRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = client.GetAuditTrail(request, deadline: Deadline(options.Value.StreamDeadline), cancellationToken: cancellationToken);
        await foreach (var audit in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            yield return audit;
        }
    }

    /// <summary>The sentence a caller sees when the license server could not be read.</summary>
    public static string Describe(RpcException exception, string consequence) => exception.StatusCode switch
    {
        StatusCode.DeadlineExceeded =>
            $"The license server did not answer in time, {consequence}. Check that the license-server service is running and not overloaded, then try again.",
        StatusCode.Unavailable =>
            $"The license server is unreachable, {consequence}. Check that the license-server service is running and that Reporting:LicenseServerAddress points to it, then try again.",
        _ =>
            $"The license server refused the read ({exception.StatusCode}: {exception.Status.Detail}), {consequence}. Check the license server's log, then try again.",
    };

    // gRPC deadlines are wall-clock instants; simulated licensing time must never shorten or stretch them.
    private static DateTime Deadline(TimeSpan after) => DateTime.UtcNow.Add(after);
}
