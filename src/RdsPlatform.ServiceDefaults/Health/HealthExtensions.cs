using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RdsPlatform.ServiceDefaults.Health;

/// <summary>The gRPC health service of every RdsPlatform service, answering from recent check results.</summary>
public static class HealthExtensions
{
    /// <summary>Tag of the checks that only say the process answers; they cost nothing and are never cached.</summary>
    public const string LiveTag = "live";

    /// <summary>Meter of <c>rds.health.checks</c>: the checks that really ran (a probe answered from the cache is not one).</summary>
    public const string MeterName = "RdsPlatform.Health";

    /// <summary>The category of the cached checks' status changes (a warning when one fails, information when it recovers).</summary>
    public const string LogCategory = "RdsPlatform.Health";

    /// <summary>The framework's per-probe log of every check's result, silenced while results are cached.</summary>
    internal const string PerProbeLogCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    /// <summary>
    /// <c>grpc.health.v1.Health</c> with the always-healthy <c>self</c> check. Every other check a service adds (its
    /// database checks) answers probes from its latest result for <see cref="HealthOptions.CacheDuration"/>, one run at
    /// a time, so a probe storm does not reach the database; Grpc's own cache (<c>UseHealthChecksCache</c>) is not used,
    /// since it answers NOT_FOUND until its publisher first runs, and runs every check on a timer whether probed or not.
    /// </summary>
    public static IHealthChecksBuilder AddRdsHealthChecks(this IServiceCollection services)
    {
        services.AddValidatedOptions<HealthOptions>(HealthOptions.SectionName);
        services.AddOptions<HealthCheckServiceOptions>()
            // The options are a singleton, so this is the root provider: a run of a check outlives the probe (and the
            // scope) that started it, and other probes wait for it.
            .PostConfigure<IOptions<HealthOptions>, IMeterFactory, IServiceProvider>((checks, health, meters, root) =>
                CacheResults(checks, health.Value, meters, root));
        // With results cached, a check's changes are logged once by its cache (HealthResultCache); the framework would
        // log an error for every probe that reads a failed result, a line a second per probing client during an outage.
        services.AddOptions<LoggerFilterOptions>().PostConfigure<IOptions<HealthOptions>>((filters, health) =>
        {
            if (health.Value.CachesResults)
            {
                filters.Rules.Add(new LoggerFilterRule(null, PerProbeLogCategory, LogLevel.None, null));
            }
        });
        return services.AddGrpcHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
    }

    private static void CacheResults(HealthCheckServiceOptions checks, HealthOptions health, IMeterFactory meters, IServiceProvider root)
    {
        if (!health.CachesResults)
        {
            return;
        }

        var runs = meters.Create(MeterName).CreateCounter<long>("rds.health.checks", unit: "{check}",
            description: "Health checks run (probes answered from the latest result are not counted), by check and status.");
        var logger = root.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory);
        foreach (var registration in checks.Registrations.Where(r => !r.Tags.Contains(LiveTag)))
        {
            var cache = new HealthResultCache(registration.Name, health, TimeProvider.System, runs, logger);
            var create = registration.Factory;
            var cached = new CachedHealthCheck(cache, () => create(root));
            registration.Factory = _ => cached;
        }
    }
}
