namespace RdsPlatform.AppHost;

public static class ServiceResourceExtensions
{
    /// <summary>What every RdsPlatform service gets from the AppHost: its data folder, the clock mode and a gRPC health check.</summary>
    public static IResourceBuilder<ProjectResource> WithRdsServiceDefaults(
        this IResourceBuilder<ProjectResource> project, string dataRoot, string clockMode)
        => project
            .WithEnvironment("Storage__DataDirectory", Path.Combine(dataRoot, project.Resource.Name))
            .WithEnvironment("Clock__Mode", clockMode)
            .WithGrpcHealthCheck();
}
