namespace RdsPlatform.Licensing;

/// <summary>The two RDS version tables: which CAL serves which session host (R13), which pack a license server hosts (R14).</summary>
public static class VersionCompatibility
{
    /// <summary>R13: a CAL serves a session host of its own version or earlier.</summary>
    public static bool CalServesHost(ProductVersion calVersion, ProductVersion hostVersion) => calVersion >= hostVersion;

    /// <summary>R14: a license server hosts packs of its own version or earlier.</summary>
    public static bool ServerHostsPack(ProductVersion serverVersion, ProductVersion packVersion) => packVersion <= serverVersion;

    /// <summary>Whether the value is one of the known versions (inputs from the wire may carry anything).</summary>
    public static bool IsKnown(ProductVersion version) => Enum.IsDefined(version);

    /// <summary>"Windows Server 2022".</summary>
    public static string ServerName(ProductVersion version) => $"Windows Server {(int)version}";

    /// <summary>"RDS 2022".</summary>
    public static string CalName(ProductVersion version) => $"RDS {(int)version}";
}
