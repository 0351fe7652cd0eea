using System.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Hosting;
using RdsPlatform.ServiceDefaults.Security;

namespace RdsPlatform.Testing;

/// <summary>
/// The well-known API keys of test hosts, one per role plus the service-to-service keys. They are plain test values:
/// never use them outside tests.
/// </summary>
public static class TestKeys
{
    public const string Admin = "rds-test-admin-key";
    public const string SessionHost = "rds-test-session-host-key";
    public const string Client = "rds-test-client-key";
    public const string Reporter = "rds-test-reporter-key";

    /// <summary>A session-host key that may act for <see cref="RestrictedHostId"/> only.</summary>
    public const string RestrictedSessionHost = "rds-test-session-host-1-key";
    public const string RestrictedHostId = "host-1";

    /// <summary>The gateway's key for license servers (session-host, any host).</summary>
    public const string Gateway = "rds-test-gateway-key";

    /// <summary>The reporting service's key for license servers (reporter).</summary>
    public const string ReportingService = "rds-test-reporting-service-key";

    /// <summary>The configuration that makes a service accept the test keys and send the service-to-service ones.</summary>
    public static IReadOnlyDictionary<string, string?> Settings { get; } = BuildSettings();

    /// <summary>Adds <see cref="Settings"/> to a test host's configuration.</summary>
    public static IWebHostBuilder UseTestKeys(this IWebHostBuilder web)
    {
        foreach (var (key, value) in Settings)
        {
            web.UseSetting(key, value);
        }

        return web;
    }

    public static string ForRole(string role) => role switch
    {
        RdsRoles.Admin => Admin,
        RdsRoles.SessionHost => SessionHost,
        RdsRoles.Client => Client,
        RdsRoles.Reporter => Reporter,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Not a role."),
    };

    /// <summary>A call invoker that sends <c>authorization: Bearer &lt;key&gt;</c> on every call.</summary>
    public static CallInvoker WithBearer(this ChannelBase channel, string key) => channel.Intercept(new BearerKeyInterceptor(key));

    /// <summary>
    /// A call invoker that sends, for each RPC of the given service implementations, the key of a role that may call it
    /// (admin first), as read from its <see cref="AllowRolesAttribute"/>. For harnesses that drive every RPC of a service
    /// through one client; tests about authorization use <see cref="WithBearer"/> with one key instead.
    /// </summary>
    public static CallInvoker WithRoleKeys(this ChannelBase channel, params Type[] serviceTypes)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var type in serviceTypes)
        {
            var serviceName = ServiceName(type);
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<AllowRolesAttribute>() is { Roles.Count: > 0 } allowed)
                {
                    var role = allowed.Allows(RdsRoles.Admin) ? RdsRoles.Admin : allowed.Roles[0];
                    keys[$"{serviceName}/{method.Name}"] = ForRole(role);
                }
            }
        }

        return channel.Intercept(new BearerKeyInterceptor(method => keys.GetValueOrDefault($"{method.ServiceName}/{method.Name}")));
    }

    /// <summary>The full gRPC service name a service implementation serves, from its generated base class.</summary>
    public static string ServiceName(Type serviceImplementation)
    {
        for (var type = serviceImplementation.BaseType; type is not null; type = type.BaseType)
        {
            if (type.DeclaringType?.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
                is Google.Protobuf.Reflection.ServiceDescriptor descriptor)
            {
                return descriptor.FullName;
            }
        }

        throw new ArgumentException($"{serviceImplementation} does not derive from a generated gRPC service base.", nameof(serviceImplementation));
    }

    private static Dictionary<string, string?> BuildSettings()
    {
        var settings = new Dictionary<string, string?>();
        void Key(string name, string key, string role, params string[] hostIds)
        {
            settings[$"Auth:Keys:{name}:Key"] = key;
            settings[$"Auth:Keys:{name}:Role"] = role;
            for (var i = 0; i < hostIds.Length; i++)
            {
                settings[$"Auth:Keys:{name}:HostIds:{i}"] = hostIds[i];
            }
        }

        Key("test-admin", Admin, RdsRoles.Admin);
        Key("test-session-host", SessionHost, RdsRoles.SessionHost, RdsCaller.AnyHost);
        Key("test-client", Client, RdsRoles.Client);
        Key("test-reporter", Reporter, RdsRoles.Reporter);
        Key("test-session-host-1", RestrictedSessionHost, RdsRoles.SessionHost, RestrictedHostId);
        Key("test-gateway", Gateway, RdsRoles.SessionHost, RdsCaller.AnyHost);
        Key("test-reporting", ReportingService, RdsRoles.Reporter);
        settings["Gateway:LicenseServerApiKey"] = Gateway;
        settings["Reporting:LicenseServerApiKey"] = ReportingService;
        return settings;
    }
}
