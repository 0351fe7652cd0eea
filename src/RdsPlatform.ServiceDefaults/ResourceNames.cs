namespace RdsPlatform.ServiceDefaults;

/// <summary>Names of the Aspire resources; also the service-discovery names services call each other by.</summary>
public static class ResourceNames
{
    public const string Cache = "cache";
    public const string CacheServer = "cache-server";
    public const string LicenseServer = "license-server";
    public const string SessionHost = "session-host";
    public const string Reporting = "reporting";
    public const string Manager = "licensing-manager";
}
