using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>
/// Turns the authorization middleware's "forbidden" on an RPC into PermissionDenied with a sentence naming the key,
/// its role and the roles that would do (from the policy's failed <see cref="RolesAuthorizationRequirement"/>).
/// Everything else (success, a challenge, a refusal of another endpoint) takes the framework's default path.
/// </summary>
public sealed partial class RpcAuthorizationResultHandler(ILogger<RpcAuthorizationResultHandler> logger) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden || AuthRefusal.Method(context) is not { } method || RdsCaller.From(context.User) is not { } caller)
        {
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }

        var roles = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<RolesAuthorizationRequirement>().FirstOrDefault()?.AllowedRoles.ToList() ?? [];
        LogForbidden(method.FullName, caller.KeyName, caller.Role);
        return AuthRefusal.WriteAsync(context, StatusCode.PermissionDenied, "permission_denied", roles.Count == 0
            ? $"No API key may call {method.FullName}."
            : $"The API key '{caller.KeyName}' has the role {caller.Role}, which may not call {method.FullName}; use a key with the role {string.Join(" or ", roles)}.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} to key {KeyName} with role {Role}")]
    private partial void LogForbidden(string method, string keyName, string role);
}
