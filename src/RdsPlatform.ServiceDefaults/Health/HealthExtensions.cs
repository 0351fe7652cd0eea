using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace RdsPlatform.ServiceDefaults.Health;

/// <summary>The gRPC health service of every RdsPlatform service, answering from recent check results.</summary>
public static class HealthExtensions
{
    /// <summary>Tag of the checks that only say the process answers; they cost nothing and are never cached.</summary>
    public const string LiveTag = "live";

    /// <summary>Meter of <c>rds.health.checks</c>: the checks that really ran (a probe answered from the cache is not one).</summary>
    public const string MeterName = "RdsPlatform.Health";

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
        return services.AddGrpcHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
    }

    private static void CacheResults(HealthCheckServiceOptions checks, HealthOptions health, IMeterFactory meters, IServiceProvider root)
    {
        if (health.CacheDuration <= TimeSpan.Zero)
        {
            return;
        }

        var runs = meters.Create(MeterName).CreateCounter<long>("rds.health.checks", unit: "{check}",
            description: "Health checks run (probes answered from the latest result are not counted), by check and status.");
        foreach (var registration in checks.Registrations.Where(r => !r.Tags.Contains(LiveTag)))
        {
            var cache = new HealthResultCache(registration.Name, health, TimeProvider.System, runs);
            var create = registration.Factory;
            var cached = new CachedHealthCheck(cache, () => create(root));
            registration.Factory = _ => cached;
        }
    }
}
