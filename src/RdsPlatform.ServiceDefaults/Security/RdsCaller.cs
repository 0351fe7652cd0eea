using System.Security.Claims;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>
/// The authenticated caller of the current call: the key's configured name, its role and, for session-host keys, its
/// host ids. The API-key handler signs it in as a <see cref="ClaimsPrincipal"/> (name, role and host-id claims), which
/// is what <c>[AllowRoles]</c> and <see cref="RdsCallerExtensions.GetCaller"/> read.
/// </summary>
public sealed class RdsCaller(string keyName, string role, IReadOnlyList<string> hostIds)
{
    public const string AnyHost = "*";

    /// <summary>The claim type of each host id a session-host key may act for.</summary>
    public const string HostIdClaim = "rds:host_id";

    private ClaimsPrincipal? _principal;
    private Task<AuthenticateResult>? _authenticated;

    public string KeyName { get; } = keyName;

    public string Role { get; } = role;

    public IReadOnlyList<string> HostIds { get; } = hostIds;

    /// <summary>
    /// This key's principal, built once and shared by every call that presents the key (keys never change while a
    /// service runs, and nothing in a call adds to a principal), so an authenticated call allocates no claims.
    /// </summary>
    public ClaimsPrincipal Principal => _principal ??= new CallerPrincipal(this, new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, KeyName), new Claim(ClaimTypes.Role, Role), .. HostIds.Select(h => new Claim(HostIdClaim, h))],
        ApiKeyAuthenticationHandler.SchemeName,
        ClaimTypes.Name,
        ClaimTypes.Role));

    /// <summary>
    /// The API-key handler's answer for this key, built once like <see cref="Principal"/>. The framework does not
    /// change a handler's result: its authentication service wraps the principal in a ticket and result of its own.
    /// </summary>
    public Task<AuthenticateResult> Authenticated =>
        _authenticated ??= Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Principal, ApiKeyAuthenticationHandler.SchemeName)));

    public bool MayActFor(string hostId) =>
        HostIds.Any(h => h == AnyHost || string.Equals(h, hostId, StringComparison.OrdinalIgnoreCase));

    /// <summary>The caller a principal signed in by an API key stands for; null for anyone else (health, reflection).</summary>
    public static RdsCaller? From(ClaimsPrincipal? user)
    {
        // The principal of a key is this key's caller: no copy per call.
        if (user is CallerPrincipal signedIn)
        {
            return signedIn.Caller;
        }

        if (user?.Identity is not ClaimsIdentity { IsAuthenticated: true, AuthenticationType: ApiKeyAuthenticationHandler.SchemeName } identity)
        {
            return null;
        }

        return new RdsCaller(
            identity.Name ?? "",
            identity.FindFirst(identity.RoleClaimType)?.Value ?? "",
            [.. identity.FindAll(HostIdClaim).Select(c => c.Value)]) { _principal = user };
    }
}

/// <summary>A key's principal that knows its <see cref="RdsCaller"/>, so reading the caller of a call allocates nothing.</summary>
internal sealed class CallerPrincipal(RdsCaller caller, ClaimsIdentity identity) : ClaimsPrincipal(identity)
{
    public RdsCaller Caller { get; } = caller;
}

public static class RdsCallerExtensions
{
    /// <summary>The caller the API-key handler authenticated; null only for health and reflection.</summary>
    public static RdsCaller? GetCaller(this ServerCallContext context) => RdsCaller.From(context.GetHttpContext().User);

    /// <summary>
    /// Refuses with PermissionDenied when a session-host key acts for a host id it was not given. Other roles are
    /// already limited by the method's <see cref="AllowRolesAttribute"/>.
    /// </summary>
    public static void EnsureActsForHost(this ServerCallContext context, string hostId, string field = "session_host_id")
    {
        if (context.GetCaller() is { Role: RdsRoles.SessionHost } caller && !caller.MayActFor(hostId))
        {
            throw Problem.PermissionDenied(string.IsNullOrWhiteSpace(hostId)
                ? $"The API key '{caller.KeyName}' acts only for named session hosts; give {field}."
                : $"The API key '{caller.KeyName}' may not act for session host '{hostId}'; add '{hostId}' to Auth:Keys:{caller.KeyName}:HostIds or use that host's own key.").ToRpcException();
        }
    }
}
