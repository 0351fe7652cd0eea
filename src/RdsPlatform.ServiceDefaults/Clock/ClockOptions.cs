using System.ComponentModel.DataAnnotations;

namespace RdsPlatform.ServiceDefaults.Clock;

/// <summary>Configuration section <c>Clock</c>.</summary>
public sealed class ClockOptions
{
    public const string SectionName = "Clock";

    /// <summary>System (default) or Simulated.</summary>
    public ClockMode Mode { get; set; } = ClockMode.System;

    /// <summary>How often a service re-reads the shared offset, so that all agree within a second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00", ErrorMessage = "Clock:SyncInterval must be a duration from 1 ms to 1 minute, for example 00:00:05.")]
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The largest single advance accepted.</summary>
    public static readonly TimeSpan MaxAdvance = TimeSpan.FromDays(3650);
}
