using System.ComponentModel.DataAnnotations;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>Configuration section <c>Auth</c> (the keys themselves are read by <see cref="ApiKeyStore"/>), validated at start.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Failed authentications one remote address may make within <see cref="FailureWindow"/> before it is refused for a while.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Auth:FailureLimit must be at least 1.")]
    public int FailureLimit { get; set; } = 10;

    /// <summary>The window failures are counted in, and how long an address is refused once over the limit.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00", ErrorMessage = "Auth:FailureWindow must be between 1 millisecond and 1 day (for example 00:01:00).")]
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most remote addresses tracked at once; beyond it they share one window, so memory stays bounded.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Auth:MaxTrackedAddresses must be between 1 and 10,000,000.")]
    public int MaxTrackedAddresses { get; set; } = 10_000;
}
