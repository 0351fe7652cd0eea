namespace RdsPlatform.AppHost;

/// <summary>
/// The API keys of the topology, generated once per developer machine as secret parameters and kept in the AppHost's
/// user secrets (<c>dotnet user-secrets list --project RdsPlatform.AppHost</c>; the dashboard shows them too).
/// </summary>
public sealed record ApiKeys(
    IResourceBuilder<ParameterResource> Admin,
    IResourceBuilder<ParameterResource> SessionHost,
    IResourceBuilder<ParameterResource> Client,
    IResourceBuilder<ParameterResource> Reporter,
    IResourceBuilder<ParameterResource> Gateway,
    IResourceBuilder<ParameterResource> Reporting);

public static class ApiKeyExtensions
{
    /// <summary>One key per role for developers and tools, and one per service-to-service client.</summary>
    public static ApiKeys AddApiKeys(this IDistributedApplicationBuilder builder) => new(
        Key(builder, "admin-api-key"),
        Key(builder, "session-host-api-key"),
        Key(builder, "client-api-key"),
        Key(builder, "reporter-api-key"),
        Key(builder, "gateway-api-key"),
        Key(builder, "reporting-api-key"));

    /// <summary>Every service accepts every key of the topology, each with its role (Auth:Keys:&lt;name&gt;).</summary>
    public static IResourceBuilder<ProjectResource> WithApiKeys(this IResourceBuilder<ProjectResource> project, ApiKeys keys) => project
        .WithKey("admin", keys.Admin, "admin")
        .WithKey("session-host", keys.SessionHost, "session-host", anyHost: true)
        .WithKey("client", keys.Client, "client")
        .WithKey("reporter", keys.Reporter, "reporter")
        .WithKey("gateway", keys.Gateway, "session-host", anyHost: true)
        .WithKey("reporting", keys.Reporting, "reporter");

    private static IResourceBuilder<ProjectResource> WithKey(this IResourceBuilder<ProjectResource> project, string name,
        IResourceBuilder<ParameterResource> key, string role, bool anyHost = false)
    {
        project.WithEnvironment($"Auth__Keys__{name}__Key", key).WithEnvironment($"Auth__Keys__{name}__Role", role);
        return anyHost ? project.WithEnvironment($"Auth__Keys__{name}__HostIds__0", "*") : project;
    }

    // Letters and digits only, so a key pastes into a shell command or a ghz config without quoting.
    private static IResourceBuilder<ParameterResource> Key(IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 40, Special = false }, secret: true, persist: true);
}
