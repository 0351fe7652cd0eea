namespace RdsPlatform.AppHost;

/// <summary>Where the AppHost's local resources keep their files.</summary>
public static class AppHostPaths
{
    /// <summary><c>RdsPlatform:DataRoot</c>, else <c>.data</c> beside the AppHost project.</summary>
    public static string DataRoot(IDistributedApplicationBuilder builder) =>
        builder.Configuration["RdsPlatform:DataRoot"] ?? Path.Combine(builder.AppHostDirectory, ".data");
}
