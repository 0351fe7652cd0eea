using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>
/// The deny-by-default policy: the fallback for every endpoint that declares no access of its own (no
/// <see cref="AllowRolesAttribute"/>, <c>[Authorize]</c> or <c>[AllowAnonymous]</c>), and the policy of an
/// <c>[AllowRoles]</c> that names no role. An anonymous caller is challenged (Unauthenticated), a known key is refused
/// (PermissionDenied, "No API key may call ...").
/// </summary>
public static class RdsPolicies
{
    /// <summary>The policy that admits no key.</summary>
    public const string Nobody = "rds-nobody";

    public static AuthorizationPolicy DenyByDefault { get; } =
        new AuthorizationPolicyBuilder().AddRequirements(new DeclaredAccessRequirement()).Build();
}

/// <summary>Met only by a request no endpoint answers: see <see cref="DeclaredAccessHandler"/>.</summary>
public sealed class DeclaredAccessRequirement : IAuthorizationRequirement;

/// <summary>
/// Lets through, to the framework's own answer, the requests that reach no RPC: a path no endpoint matches (HTTP 404)
/// and grpc-dotnet's catch-all endpoints for an unknown service or method (Unimplemented), so a mistyped method is
/// told so rather than refused. Every endpoint that does something stays denied until it declares who may call it.
/// </summary>
public sealed class DeclaredAccessHandler : AuthorizationHandler<DeclaredAccessRequirement>
{
    // grpc-dotnet maps "{unimplementedService}/{unimplementedMethod}" and "<service>/{unimplementedMethod}".
    private const string UnimplementedMethodParameter = "unimplementedMethod";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, DeclaredAccessRequirement requirement)
    {
        if (context.Resource is HttpContext http && AnswersNothing(http.GetEndpoint()))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    private static bool AnswersNothing(Endpoint? endpoint) =>
        endpoint is null || (endpoint is RouteEndpoint route && route.RoutePattern.GetParameter(UnimplementedMethodParameter) is not null);
}
