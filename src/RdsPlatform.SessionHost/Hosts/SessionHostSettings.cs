using RdsPlatform.Licensing;

namespace RdsPlatform.SessionHost.Hosts;

/// <summary>A registered session host's licensing settings and the start of its grace period (R1).</summary>
/// <param name="LicenseServers">Names or absolute addresses, tried in order.</param>
public sealed record SessionHostSettings(
    string HostId,
    ProductVersion Version,
    LicensingMode Mode,
    IReadOnlyList<string> LicenseServers,
    bool PreventUpgrade,
    DateTimeOffset GraceStartedAt,
    DateTimeOffset ConfiguredAt)
{
    public CalType? CalType => Mode switch
    {
        LicensingMode.PerDevice => Licensing.CalType.PerDevice,
        LicensingMode.PerUser => Licensing.CalType.PerUser,
        _ => null,
    };
}

/// <summary>What an administrator asks to set on a host.</summary>
public sealed record SessionHostConfiguration(
    string HostId,
    ProductVersion Version,
    LicensingMode Mode,
    IReadOnlyList<string> LicenseServers,
    bool PreventUpgrade);
