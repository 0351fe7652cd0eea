namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>The roles an API key can have (docs/security.md has the whole matrix).</summary>
public static class RdsRoles
{
    /// <summary>Activation, key packs, revoke, host settings, the clock; may also read everything.</summary>
    public const string Admin = "admin";

    /// <summary>License requests for its own session host ids, and the license server reads the gateway needs.</summary>
    public const string SessionHost = "session-host";

    /// <summary>Connect, SignIn, Disconnect and the reads a connecting client needs.</summary>
    public const string Client = "client";

    /// <summary>Reports, and the license server reads the reporting service needs.</summary>
    public const string Reporter = "reporter";

    public static readonly IReadOnlyList<string> All = [Admin, SessionHost, Client, Reporter];

    /// <summary>The roles as they are spelled in configuration, or null for an unknown spelling.</summary>
    public static string? Parse(string? role) => All.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));
}
