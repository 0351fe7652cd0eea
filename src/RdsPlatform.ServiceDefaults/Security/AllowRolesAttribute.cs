using Microsoft.AspNetCore.Authorization;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>
/// Declares which roles may call an RPC: ASP.NET Core's <c>[Authorize(Roles = ...)]</c>, typed with the
/// <see cref="RdsRoles"/> constants. Put it on each RPC override of a gRPC service, so that the rule "which role may call
/// what" reads next to the code. grpc-dotnet copies a method's attributes into its endpoint's metadata (and JSON
/// transcoding into the HTTP route's), where the authorization middleware reads this as <see cref="IAuthorizeData"/>;
/// a method without it falls to the deny-by-default fallback policy and can be called by no key at all.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class AllowRolesAttribute(params string[] roles) : Attribute, IAuthorizeData
{
    public IReadOnlyList<string> Roles { get; } = roles;

    public bool Allows(string role) => Roles.Contains(role, StringComparer.Ordinal);

    // The framework joins roles with commas and requires any one of them (RolesAuthorizationRequirement).
    string? IAuthorizeData.Roles
    {
        get => Roles.Count == 0 ? null : string.Join(',', Roles);
        set => throw new NotSupportedException("Give the roles to the AllowRoles constructor.");
    }

    // No roles at all must not fall back to "any authenticated key" (the framework's default policy): it names the
    // policy that admits nobody instead.
    string? IAuthorizeData.Policy
    {
        get => Roles.Count == 0 ? RdsPolicies.Nobody : null;
        set => throw new NotSupportedException("AllowRoles names roles; use [Authorize(Policy = ...)] for a policy.");
    }

    string? IAuthorizeData.AuthenticationSchemes
    {
        get => null;
        set => throw new NotSupportedException("API keys are the only scheme.");
    }
}
