using Microsoft.Extensions.Configuration;
using System.Diagnostics;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost;

/// <summary>The cache as the services see it: a connection string, and the resource to wait for when the AppHost runs it.</summary>
public sealed record RdsCache(string Mode, Action<IResourceBuilder<ProjectResource>> AttachTo);

public static class CacheResourceExtensions
{
    /// <summary>
    /// Picks the Redis-protocol cache by itself, so one command works everywhere: a configured
    /// <c>ConnectionStrings:cache</c> (external Redis) wins; else Redis in a container when a container engine
    /// answers; else the embedded Garnet server, which needs nothing installed. <c>Cache:Mode</c>
    /// (auto | external | container | garnet | redis-server | redis-cluster) forces a choice. An external Redis Cluster is
    /// <c>external</c> with its nodes listed in the connection string; the client discovers the rest.
    /// </summary>
    public static RdsCache AddRdsCache(this IDistributedApplicationBuilder builder)
    {
        var mode = (builder.Configuration["Cache:Mode"] ?? "auto").Trim().ToLowerInvariant();
        var external = builder.Configuration.GetConnectionString(ResourceNames.Cache);

        if (mode == "external" || (mode == "auto" && !string.IsNullOrWhiteSpace(external)))
        {
            var connection = builder.AddConnectionString(ResourceNames.Cache);
            return new RdsCache("external", project => project.WithReference(connection));
        }

        if (mode == "container" || (mode == "auto" && ContainerEngineAnswers()))
        {
            var redis = builder.AddRedis(ResourceNames.Cache);
            return new RdsCache("container", project => project.WithReference(redis).WaitFor(redis));
        }

        if (mode == "redis-server")
        {
            var redisServer = builder.AddLocalRedisServer(ResourceNames.Cache);
            return new RdsCache("redis-server", project => project.WithReference(redisServer).WaitFor(redisServer));
        }

        if (mode == "redis-cluster")
        {
            return builder.AddLocalRedisCluster();
        }

        if (mode is not ("auto" or "garnet"))
        {
            throw new InvalidOperationException(
                $"Cache:Mode '{mode}' is unknown; use auto, external, container, garnet, redis-server or redis-cluster.");
        }

        var garnet = builder.AddProject<Projects.RdsPlatform_Cache>(ResourceNames.CacheServer)
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "CACHE_PORT")
            .WithEnvironment("CACHE_DATA", Path.Combine(AppHostPaths.DataRoot(builder), ResourceNames.CacheServer))
            .WithRespHealthCheck("tcp");
        var endpoint = garnet.GetEndpoint("tcp");
        var garnetConnection = builder.AddConnectionString(
            ResourceNames.Cache,
            ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.HostAndPort)}"));
        return new RdsCache("garnet", project => project.WithReference(garnetConnection).WaitFor(garnet));
    }

    public static IResourceBuilder<ProjectResource> WithCache(this IResourceBuilder<ProjectResource> project, RdsCache cache)
    {
        cache.AttachTo(project);
        return project;
    }

    /// <summary>A <c>redis-server</c> from the machine's PATH (Debian: apt-get install redis-server), without persistence.</summary>
    private static IResourceBuilder<LocalRedisServerResource> AddLocalRedisServer(this IDistributedApplicationBuilder builder, string name)
    {
        var resource = new LocalRedisServerResource(name, builder.AppHostDirectory);
        return builder.AddResource(resource)
            .WithEndpoint(name: LocalRedisServerResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                // DCP allocates the port behind the proxy; the expression resolves to it at launch.
                context.Args.Add("--port");
                context.Args.Add(resource.Endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--appendonly");
                context.Args.Add("no");
            })
            .WithRespHealthCheck(LocalRedisServerResource.EndpointName);
    }

    private static bool ContainerEngineAnswers()
    {
        var runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") ?? "docker";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }

            process.StandardOutput.ReadToEndAsync();
            process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>A local redis-server process that hands its address to the services as a connection string.</summary>
public sealed class LocalRedisServerResource(string name, string workingDirectory)
    : ExecutableResource(name, "redis-server", workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.HostAndPort)}");
}
