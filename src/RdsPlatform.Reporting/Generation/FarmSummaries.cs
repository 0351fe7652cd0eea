using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.Reporting.Generation;

/// <summary>The license server's identity and the pools of a farm as a summary shows them.</summary>
public sealed record FarmSummary(ServerInfo Server, IReadOnlyList<SummaryEntry> Pools);

/// <summary>
/// The pools of a farm for Summary reports and the compliance summary, read from the license server once for all the
/// callers that ask for the same domain at the same time (<see cref="NextRunSharing{TKey, TValue}"/>): fifty concurrent
/// Summary generations cost one read, not fifty, and none gets figures read before it asked.
/// </summary>
public sealed class FarmSummaries
{
    private readonly NextRunSharing<string, FarmSummary> _runs;

    public FarmSummaries(LicenseServerReader reader)
    {
        // The shared read is not tied to one caller's cancellation (others wait for it); its calls carry their deadlines.
        _runs = new(domain => ReadAsync(reader, domain), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The farm's pools in <paramref name="domain"/>'s scope (empty: every domain), as of a read begun after this call.</summary>
    public async Task<FarmSummary> GetAsync(string domain, CancellationToken cancellationToken)
    {
        var shared = await _runs.GetAsync(domain, cancellationToken);
        // Each caller gets its own messages: callers put them into their own reports and answers.
        return shared with { Pools = shared.Pools.Select(pool => pool.Clone()).ToList() };
    }

    private static async Task<FarmSummary> ReadAsync(LicenseServerReader reader, string domain)
    {
        var server = await reader.GetServerAsync(CancellationToken.None);
        return new FarmSummary(server, await SummaryAggregator.CollectAsync(reader, server, domain, CancellationToken.None));
    }
}
