using Grpc.Core;
using Microsoft.AspNetCore.Http;
using RdsPlatform.ServiceDefaults.Grpc;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>The authenticated caller of the current call: the key's configured name, its role and, for session-host keys, its host ids.</summary>
public sealed class RdsCaller(string keyName, string role, IReadOnlyList<string> hostIds)
{
    public const string AnyHost = "*";

    public string KeyName { get; } = keyName;

    public string Role { get; } = role;

    public IReadOnlyList<string> HostIds { get; } = hostIds;

    public bool MayActFor(string hostId) =>
        HostIds.Any(h => h == AnyHost || string.Equals(h, hostId, StringComparison.OrdinalIgnoreCase));
}

public static class RdsCallerExtensions
{
    /// <summary>The caller the authentication middleware admitted; null only for health and reflection.</summary>
    public static RdsCaller? GetCaller(this ServerCallContext context) => context.GetHttpContext().Features.Get<RdsCaller>();

    /// <summary>
    /// Refuses with PermissionDenied when a session-host key acts for a host id it was not given. Other roles are
    /// already limited by the method's <see cref="AllowRolesAttribute"/>.
    /// </summary>
    public static void EnsureActsForHost(this ServerCallContext context, string hostId, string field = "session_host_id")
    {
        if (context.GetCaller() is { Role: RdsRoles.SessionHost } caller && !caller.MayActFor(hostId))
        {
            throw RpcProblems.PermissionDenied(string.IsNullOrWhiteSpace(hostId)
                ? $"The API key '{caller.KeyName}' acts only for named session hosts; give {field}."
                : $"The API key '{caller.KeyName}' may not act for session host '{hostId}'; add '{hostId}' to Auth:Keys:{caller.KeyName}:HostIds or use that host's own key.");
        }
    }
}
