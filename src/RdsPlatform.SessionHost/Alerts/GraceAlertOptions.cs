using RdsPlatform.Licensing;

namespace RdsPlatform.SessionHost.Alerts;

/// <summary>Configuration section <c>Alerts</c>: when the gateway raises GRACE_PERIOD_LOW (docs/alerts.md).</summary>
public sealed class GraceAlertOptions
{
    public const string SectionName = "Alerts";

    /// <summary>A host with fewer than this many days of grace left and no license server answering is alerted (1 to 120).</summary>
    public int GraceDaysThreshold { get; set; } = 14;

    /// <summary>
    /// How often hosts are checked and waiting alerts offered to a license server again (operational time, so it passes
    /// under a simulated clock too; the days left are read from the licensing clock).
    /// </summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    public static string? Problem(GraceAlertOptions options) =>
        options.GraceDaysThreshold < 1 || options.GraceDaysThreshold > GracePeriodAlertRules.MaxThresholdDays
            ? $"Alerts:GraceDaysThreshold is {options.GraceDaysThreshold}; give 1 to {GracePeriodAlertRules.MaxThresholdDays} (days of a 120-day grace period)."
            : options.CheckInterval <= TimeSpan.Zero
                ? "Alerts:CheckInterval must be positive, e.g. 00:01:00."
                : null;
}
