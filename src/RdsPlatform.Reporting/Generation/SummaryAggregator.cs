using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Mapping;
using CalType = RdsPlatform.Contracts.Common.V1.CalType;
using ProductVersion = RdsPlatform.Contracts.Common.V1.ProductVersion;
using ServerScope = RdsPlatform.Contracts.Common.V1.ServerScope;
using CalStatus = RdsPlatform.Contracts.Common.V1.CalStatus;

namespace RdsPlatform.Reporting.Generation;

/// <summary>
/// Installed-vs-issued figures per version and CAL type. Seats (installed, issued, available) come from the license
/// server's key packs; OverUsed and temporary CALs are counted by the license server, so memory holds one counter per
/// pool, never the CALs.
/// </summary>
public sealed class SummaryAggregator
{
    /// <summary>The only statuses a pool counts one by one; every other CAL is already in the key packs' seats.</summary>
    private static readonly CalStatus[] CountedStatuses = [CalStatus.Overused, CalStatus.Temporary];

    private readonly SortedDictionary<(ProductVersion Version, CalType Type), SummaryEntry> _pools = new();

    /// <summary>
    /// The pools of a farm as both the live compliance summary and a stored Summary report give them (one
    /// aggregation, so the two agree field by field). <paramref name="domain"/> narrows the counted CALs to one
    /// domain's users and devices; empty counts them all. The OverUsed and temporary CALs are counted by the license
    /// server (CountIssuedLicenses: a few rows).
    /// </summary>
    public static async Task<IReadOnlyList<SummaryEntry>> CollectAsync(LicenseServerReader reader, ServerInfo server, string domain, CancellationToken cancellationToken)
    {
        var aggregator = new SummaryAggregator();
        aggregator.AddKeyPacks(await reader.ListKeyPacksAsync(cancellationToken));
        var devicesInScope = ReportGenerator.InDomain(server.Domain, domain);
        foreach (var count in await reader.CountLicensesAsync(CountedStatuses, cancellationToken))
        {
            if (count.CalType == CalType.PerUser ? ReportGenerator.InDomain(count.UserDomain, domain) : devicesInScope)
            {
                aggregator.Add(count.ProductVersion, count.CalType, count.Status, count.Count);
            }
        }

        return aggregator.Build(server.Scope);
    }

    /// <summary>The same pools, counting every OverUsed and temporary CAL of the license server's stream one by one.</summary>
    public static async Task<IReadOnlyList<SummaryEntry>> CollectByStreamingAsync(LicenseServerReader reader, ServerInfo server, string domain,
        CancellationToken cancellationToken)
    {
        var aggregator = new SummaryAggregator();
        aggregator.AddKeyPacks(await reader.ListKeyPacksAsync(cancellationToken));
        await aggregator.AddStreamedAsync(reader, ReportGenerator.InDomain(server.Domain, domain), domain, cancellationToken);
        return aggregator.Build(server.Scope);
    }

    private async Task AddStreamedAsync(LicenseServerReader reader, bool devicesInScope, string domain, CancellationToken cancellationToken)
    {
        foreach (var status in CountedStatuses)
        {
            await foreach (var license in reader.StreamLicensesAsync(new ListIssuedLicensesRequest { Status = status }, cancellationToken))
            {
                var inScope = license.CalType == CalType.PerUser ? ReportGenerator.InDomain(ReportGenerator.UserOf(license).Domain, domain) : devicesInScope;
                if (inScope)
                {
                    Add(license.ProductVersion, license.CalType, license.Status, 1);
                }
            }
        }
    }

    public void AddKeyPacks(IEnumerable<KeyPack> packs)
    {
        foreach (var pack in packs)
        {
            var pool = Pool(pack.ProductVersion, pack.CalType);
            pool.Installed += pack.Total;
            pool.Issued += pack.Issued;
            pool.Available += pack.Available;
        }
    }

    /// <summary>Adds <paramref name="count"/> CALs of a status the pools count one by one; other statuses are already in the seats.</summary>
    public void Add(ProductVersion version, CalType type, CalStatus status, long count)
    {
        switch (status)
        {
            case CalStatus.Overused:
                Pool(version, type).Overused += count;
                break;
            case CalStatus.Temporary:
                Pool(version, type).Temporary += count;
                break;
        }
    }

    /// <summary>The pools in version then CAL type order, each with its R17 availability.</summary>
    public IReadOnlyList<SummaryEntry> Build(ServerScope scope)
    {
        var entries = new List<SummaryEntry>(_pools.Count);
        foreach (var ((_, type), pool) in _pools)
        {
            if (type == CalType.Unspecified)
            {
                continue;
            }

            // A CAL type newer than this service counts as Per Device; a server that does not say its scope is treated
            // as a domain server, because tracking is the safe default.
            var coreType = ContractMapping.ToCore(type) ?? Licensing.CalType.PerDevice;
            var coreScope = ContractMapping.ToCore(scope) ?? Licensing.ServerScope.Domain;
            pool.Availability = ContractMapping.ToContract(PoolAvailabilityRules.Classify(coreType, coreScope, pool.Installed, pool.Available));
            entries.Add(pool);
        }

        return entries;
    }

    private SummaryEntry Pool(ProductVersion version, CalType type)
    {
        if (!_pools.TryGetValue((version, type), out var pool))
        {
            pool = new SummaryEntry { ProductVersion = version, CalType = type };
            _pools.Add((version, type), pool);
        }

        return pool;
    }
}
