using System.Runtime.CompilerServices;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.Reporting.Generation;

/// <summary>
/// The reporting service's reads from the license server, each with a deadline: short for unary calls, generous
/// for streams (a million CALs), and always the caller's cancellation.
/// </summary>
public sealed class LicenseServerReader(LicenseServer.LicenseServerClient client, IOptions<ReportingOptions> options)
{
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

    public async IAsyncEnumerable<IssuedLicense> StreamLicensesAsync(ListIssuedLicensesRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = client.ListIssuedLicenses(request, deadline: Deadline(options.Value.StreamDeadline), cancellationToken: cancellationToken);
        await foreach (var license in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            yield return license;
        }
    }

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
