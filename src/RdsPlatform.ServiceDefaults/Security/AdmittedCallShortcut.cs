using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>
/// Skips ASP.NET Core's authentication and authorization middleware for a call the framework has already admitted: the
/// same API key (an authorization header the <see cref="ApiKeyStore"/> accepted before, by string instance) on the same
/// endpoint. The framework's middleware allocated about 2.8 KB per call (a DI scope's handler provider and
/// authentication service, a handler, tickets, results, an authorization context; docs/performance.md), a third of a
/// Connect's allocations, to reach the same answer every time. Every other call (no key, an unknown key, a key seen for
/// the first time on a connection, a key the framework refused on that endpoint) takes the framework's path, which
/// answers it exactly as before.
/// </summary>
/// <remarks>
/// The decision is the framework's own: on the first call of a key to an endpoint, the endpoint's policy (its
/// <c>[AllowRoles]</c> or the deny-by-default fallback) is evaluated by <see cref="IAuthorizationService"/> for the
/// key's principal, and only an admission is remembered. That is sound because keys and their principals are fixed
/// while a service runs (<see cref="ApiKeyStore"/> reads them once) and every requirement the shortcut accepts depends
/// on nothing but the principal and the endpoint; an endpoint whose policy has any other requirement, or its own
/// authentication schemes, is never shortcut, and neither is any call when a claims transformation or a second scheme
/// is registered. Memory is bounded by keys × endpoints.
/// </remarks>
public sealed class AdmittedCallShortcut
{
    // The key the framework's EndpointMiddleware checks: an endpoint with authorization metadata that no authorization
    // middleware looked at is refused with an exception. Set here as the framework's middleware sets it.
    private const string AuthorizationInvokedKey = "__AuthorizationMiddlewareWithEndpointInvoked";
    private static readonly object AuthorizationInvoked = new();

    private readonly ApiKeyStore _keys;
    private readonly IAuthorizationPolicyProvider _policies;
    private readonly bool _enabled;
    private readonly ConcurrentDictionary<(Endpoint Endpoint, RdsCaller Caller), bool> _admitted = new();

    public AdmittedCallShortcut(ApiKeyStore keys, IAuthorizationPolicyProvider policies, IAuthenticationSchemeProvider schemes, IServiceProvider services)
    {
        _keys = keys;
        _policies = policies;
        _enabled = services.GetService<IClaimsTransformation>() is null or NoopClaimsTransformation
            && schemes.GetAllSchemesAsync().GetAwaiter().GetResult().Count() == 1;
    }

    /// <summary>Remembered decisions (key and endpoint pairs), for tests.</summary>
    public int Decisions => _admitted.Count;

    /// <summary>
    /// The middleware: an admitted call goes straight to <paramref name="next"/> with its key's principal as the user;
    /// any other call goes through <paramref name="framework"/> (authentication, authorization, then next).
    /// </summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next, RequestDelegate framework)
    {
        if (!_enabled
            || context.GetEndpoint() is not { } endpoint
            || context.Request.Headers.Authorization is not { Count: 1 } header
            || _keys.FindAccepted(header.ToString()) is not { } caller)
        {
            return framework(context);
        }

        if (!_admitted.TryGetValue((endpoint, caller), out var admitted))
        {
            return DecideAsync(context, endpoint, caller, next, framework);
        }

        return admitted ? Admit(context, caller, next) : framework(context);
    }

    private async Task DecideAsync(HttpContext context, Endpoint endpoint, RdsCaller caller, RequestDelegate next, RequestDelegate framework)
    {
        var admitted = await IsAdmittedAsync(context, endpoint, caller);
        _admitted.TryAdd((endpoint, caller), admitted);
        await (admitted ? Admit(context, caller, next) : framework(context));
    }

    private async Task<bool> IsAdmittedAsync(HttpContext context, Endpoint endpoint, RdsCaller caller)
    {
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return true;
        }

        if (endpoint.Metadata.GetOrderedMetadata<IAuthorizationRequirementData>().Count > 0)
        {
            return false;
        }

        var policy = await AuthorizationPolicy.CombineAsync(_policies,
            endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>(), endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>());
        if (policy is null || policy.AuthenticationSchemes.Count > 0 || !policy.Requirements.All(DependsOnlyOnPrincipalAndEndpoint))
        {
            return false;
        }

        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(caller.Principal, context, policy)).Succeeded;
    }

    private static bool DependsOnlyOnPrincipalAndEndpoint(IAuthorizationRequirement requirement) => requirement is
        RolesAuthorizationRequirement or DenyAnonymousAuthorizationRequirement or NameAuthorizationRequirement
        or ClaimsAuthorizationRequirement or DeclaredAccessRequirement;

    private static Task Admit(HttpContext context, RdsCaller caller, RequestDelegate next)
    {
        context.User = caller.Principal;
        context.Items[AuthorizationInvokedKey] = AuthorizationInvoked;
        return next(context);
    }
}
