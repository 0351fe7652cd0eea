namespace RdsPlatform.ServiceDefaults.Clock;

/// <summary>Configuration section <c>Clock</c>.</summary>
public sealed class ClockOptions
{
    public const string SectionName = "Clock";

    /// <summary>System (default) or Simulated.</summary>
    public ClockMode Mode { get; set; } = ClockMode.System;

    /// <summary>How often a service re-reads the shared offset, so that all agree within a second.</summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The largest single advance accepted.</summary>
    public static readonly TimeSpan MaxAdvance = TimeSpan.FromDays(3650);
}
