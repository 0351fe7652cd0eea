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

    /// <summary>
    /// The service's two HTTP/1.1 ports beside its gRPC port (Kestrel cannot serve HTTP/1.1 and cleartext HTTP/2 on one
    /// port): <c>http-api</c>, the JSON API for scripts, and <c>management</c>, the Prometheus scrape endpoint that needs no
    /// key. Both are listed on the resource in the dashboard. The service learns which of its listeners they are from
    /// <c>Ports__HttpApi</c> and <c>Ports__Management</c> (docs/http-api.md, docs/telemetry.md).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithHttpPorts(
        this IResourceBuilder<ProjectResource> project, int httpApiPort, int managementPort)
    {
        project.WithHttpEndpoint(port: httpApiPort, name: HttpApiEndpoint)
            .WithHttpEndpoint(port: managementPort, name: ManagementEndpoint);
        return project
            .WithEnvironment("Ports__HttpApi", project.GetEndpoint(HttpApiEndpoint).Property(EndpointProperty.TargetPort))
            .WithEnvironment("Ports__Management", project.GetEndpoint(ManagementEndpoint).Property(EndpointProperty.TargetPort))
            .WithUrlForEndpoint(ManagementEndpoint, url => url.Url = "/metrics");
    }

    public const string HttpApiEndpoint = "http-api";

    public const string ManagementEndpoint = "management";
}
