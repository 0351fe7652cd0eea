using System.ComponentModel.DataAnnotations;

namespace RdsPlatform.ServiceDefaults.Health;

/// <summary>Configuration section <c>Health</c>: how fresh the results of <c>grpc.health.v1.Health</c> are.</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>
    /// How long a readiness check's result (the database checks) answers every probe before the check runs again;
    /// zero runs every check on every probe. A database that goes down shows within this plus <see cref="CheckTimeout"/>.
    /// </summary>
    [DurationRange("00:00:00", "00:01:00", ErrorMessage = "Health:CacheDuration must be a duration from 0 to 1 minute, for example 00:00:01.")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether probes are answered from cached results (and a check's changes logged once, by its cache).</summary>
    public bool CachesResults => CacheDuration > TimeSpan.Zero;

    /// <summary>How long one run of a cached check may take before it counts as failed (a database that does not answer).</summary>
    [DurationRange("00:00:00.010", "00:01:00", ErrorMessage = "Health:CheckTimeout must be a duration from 10 ms to 1 minute, for example 00:00:02.")]
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
