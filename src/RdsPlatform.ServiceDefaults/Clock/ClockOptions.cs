using System.ComponentModel.DataAnnotations;

namespace RdsPlatform.ServiceDefaults.Clock;

/// <summary>Configuration section <c>Clock</c>.</summary>
public sealed class ClockOptions
{
    public const string SectionName = "Clock";

    /// <summary>System (default) or Simulated.</summary>
    public ClockMode Mode { get; set; } = ClockMode.System;

    /// <summary>How often a service re-reads the shared offset, so that all agree within a second.</summary>
    [DurationRange("00:00:00.001", "00:01:00", ErrorMessage = "Clock:SyncInterval must be a duration from 1 ms to 1 minute, for example 00:00:05.")]
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The largest single advance accepted.</summary>
    public static readonly TimeSpan MaxAdvance = TimeSpan.FromDays(3650);

    /// <summary>
    /// How far ahead of the wall clock simulated time may run in all (100 years): far beyond any licensing period, and far
    /// from the end of the calendar (year 9999) past which every reading of the clock would throw. An offset beyond it in
    /// the shared cache is a corrupt value: ignored, and overwritten with the service's own.
    /// </summary>
    public static readonly TimeSpan MaxOffset = TimeSpan.FromDays(36_525);
}
