using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Reporting.Generation;
using RdsPlatform.ServiceDefaults.Outcomes;
using StackExchange.Redis;

namespace RdsPlatform.Reporting.Compliance;

/// <summary>
/// The live installed-vs-issued summary, computed from the license server and kept for a few seconds in the shared
/// Redis-protocol cache (so replicas and dashboards polling it do not each stream the license server), or in
/// process when there is no cache or it is down. A cached summary is stale once the shared clock passes its
/// expiry, so simulated time refreshes it too.
/// </summary>
public sealed partial class ComplianceSummaryProvider(
    FarmSummaries summaries,
    TimeProvider clock,
    IOptions<ReportingOptions> options,
    ILogger<ComplianceSummaryProvider> logger,
    IConnectionMultiplexer? cache = null)
{
    internal const string CacheKey = "rds:reporting:compliance:v1";

    private readonly Lock _gate = new();
    private (GetComplianceSummaryResponse Summary, DateTimeOffset ExpiresAt)? _local;

    /// <summary>The summary, or Unavailable with why the license server could not be read.</summary>
    public async Task<Outcome<GetComplianceSummaryResponse>> GetAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (await ReadCachedAsync(now) is { } cached)
        {
            return cached;
        }

        GetComplianceSummaryResponse summary;
        try
        {
            summary = await ComputeAsync(now, cancellationToken);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogLicenseServerFailed(ex, ex.StatusCode);
            return Problem.Unavailable(LicenseServerReader.Describe(ex, "so compliance cannot be checked"));
        }

        await WriteCachedAsync(summary, now + Lifetime);
        return summary;
    }

    private static readonly TimeSpan CacheExpiryMargin = TimeSpan.FromMinutes(1);

    private TimeSpan Lifetime => TimeSpan.FromSeconds(options.Value.ComplianceCacheSeconds);

    private async Task<GetComplianceSummaryResponse> ComputeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var response = new GetComplianceSummaryResponse { GeneratedAt = Timestamp.FromDateTimeOffset(now) };

        // The same aggregation as a stored Summary report of every domain, so the two agree on every pool.
        foreach (var pool in (await summaries.GetAsync(domain: "", cancellationToken)).Pools)
        {
            response.Pools.Add(pool);
            if (pool.Overused > 0)
            {
                response.OverUsed = true;
                response.Warnings.Add(OverUsedWarning(pool));
            }

            if (pool.Availability is Availability.Limited or Availability.None)
            {
                response.Limited = true;
                response.Warnings.Add(ShortageWarning(pool));
            }
        }

        return response;
    }

    private static string OverUsedWarning(SummaryEntry pool) => string.Format(CultureInfo.InvariantCulture,
        "{0} {1} CALs are over-used: {2} user(s) hold a CAL beyond the {3} installed. Install at least {2} more {1} CALs of {0} (or later) to be compliant.",
        VersionName(pool.ProductVersion), TypeName(pool.CalType), pool.Overused, pool.Installed);

    private static string ShortageWarning(SummaryEntry pool) => pool.Availability == Availability.None
        ? string.Format(CultureInfo.InvariantCulture,
            "No {0} {1} CAL is available ({2} installed, {3} issued). Install more {1} CALs of {0} before new clients need one.",
            VersionName(pool.ProductVersion), TypeName(pool.CalType), pool.Installed, pool.Issued)
        : string.Format(CultureInfo.InvariantCulture,
            "{0} {1} CALs are running low: {2} of {3} installed are available. Install more before the pool runs out.",
            VersionName(pool.ProductVersion), TypeName(pool.CalType), pool.Available, pool.Installed);

    private static string VersionName(ProductVersion version) => version switch
    {
        ProductVersion._2016 => "RDS 2016",
        ProductVersion._2019 => "RDS 2019",
        ProductVersion._2022 => "RDS 2022",
        ProductVersion._2025 => "RDS 2025",
        _ => "RDS",
    };

    private static string TypeName(CalType type) => type == CalType.PerUser ? "Per User" : "Per Device";

    private async Task<GetComplianceSummaryResponse?> ReadCachedAsync(DateTimeOffset now)
    {
        if (cache is not null)
        {
            try
            {
                var value = await cache.GetDatabase().StringGetAsync(CacheKey);
                if (value.HasValue)
                {
                    var summary = GetComplianceSummaryResponse.Parser.ParseFrom((byte[])value!);
                    if (now < summary.GeneratedAt.ToDateTimeOffset() + Lifetime)
                    {
                        return summary;
                    }
                }

                return null;
            }
            // A slow cache throws RedisTimeoutException, a TimeoutException and not a RedisException.
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogCacheUnavailable(ex);
            }
        }

        lock (_gate)
        {
            return _local is { } local && now < local.ExpiresAt ? local.Summary : null;
        }
    }

    private async Task WriteCachedAsync(GetComplianceSummaryResponse summary, DateTimeOffset expiresAt)
    {
        lock (_gate)
        {
            _local = (summary, expiresAt);
        }

        if (cache is null || Lifetime <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            // Freshness is decided on the service's clock when the entry is read (GeneratedAt + Lifetime); the cache's own
            // expiry, on the cache server's real clock, only clears entries nobody reads. Expiring it at exactly the lifetime
            // dropped it early whenever the service clock ran slower than real time (a loaded machine, simulated time).
            await cache.GetDatabase().StringSetAsync(CacheKey, summary.ToByteArray(), Lifetime + CacheExpiryMargin);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogCacheUnavailable(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compliance summary not computed: the license server answered {StatusCode}")]
    private partial void LogLicenseServerFailed(Exception exception, StatusCode statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cache is unavailable; the compliance summary is cached in process")]
    private partial void LogCacheUnavailable(Exception exception);
}
