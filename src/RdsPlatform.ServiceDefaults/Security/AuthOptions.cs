namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>Configuration section <c>Auth</c> (the keys themselves are read by <see cref="ApiKeyStore"/>).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Failed authentications one remote address may make within <see cref="FailureWindow"/> before it is refused for a while.</summary>
    public int FailureLimit { get; set; } = 10;

    /// <summary>The window failures are counted in, and how long an address is refused once over the limit.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most remote addresses tracked at once; beyond it they share one window, so memory stays bounded.</summary>
    public int MaxTrackedAddresses { get; set; } = 10_000;
}
