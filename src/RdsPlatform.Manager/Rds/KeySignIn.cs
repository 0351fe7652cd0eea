using System.Security.Claims;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using RdsPlatform.Contracts.Licensing.V1;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.Manager.Rds;

/// <summary>
/// Checks an API key with the license server (which also counts failed attempts against its limit) and learns its role.
/// Only admin and reporter keys may use the console.
/// </summary>
public sealed class KeySignIn(LicenseServerClient licenseServer, IOptions<ManagerOptions> options)
{
    public async Task<(ClaimsPrincipal? User, string? Refusal)> VerifyAsync(string key, CancellationToken cancellationToken)
    {
        GetServerInfoResponse info;
        try
        {
            info = await licenseServer.GetServerInfoAsync(new GetServerInfoRequest(),
                RdsConsole.WithKey(key.Trim(), options.Value.CallDeadline, cancellationToken));
        }
        catch (RpcException ex)
        {
            return (null, ex.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.ResourceExhausted
                ? ex.Status.Detail
                : Problem.From(ex).Message);
        }

        if (info.CallerRole is not (ManagerClaims.AdminRole or ManagerClaims.ReporterRole))
        {
            return (null, $"This key has the {info.CallerRole} role; the manager needs an admin or a reporter key.");
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, info.CallerRole),
            new Claim(ClaimTypes.Role, info.CallerRole),
            new Claim(ManagerClaims.ApiKey, key.Trim()),
        ], CookieAuthenticationDefaults.AuthenticationScheme);
        return (new ClaimsPrincipal(identity), null);
    }
}
