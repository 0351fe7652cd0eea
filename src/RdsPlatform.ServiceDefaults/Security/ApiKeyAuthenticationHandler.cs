using System.Globalization;
using System.Text.Encodings.Web;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>
/// The ASP.NET Core authentication scheme of RdsPlatform's API keys: <c>authorization: Bearer &lt;key&gt;</c> (gRPC
/// metadata, or the HTTP header of the JSON form) must name a key of the <see cref="ApiKeyStore"/>, whose caller is
/// then signed in with its name and role as claims. A challenge (an RPC that needs a key got none that works) answers
/// Unauthenticated, or ResourceExhausted once the caller's address is over the <see cref="AuthFailureLimiter"/>.
/// </summary>
public sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyStore keys,
    AuthFailureLimiter limiter)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>Longest authorization value looked at; anything longer cannot be a key.</summary>
    public const int MaxAuthorizationLength = 1024;

    private static readonly Task<AuthenticateResult> NoKey = Task.FromResult(AuthenticateResult.NoResult());
    private static readonly Task<AuthenticateResult> UnknownKey = Task.FromResult(AuthenticateResult.Fail("The API key is not one this service knows."));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            return NoKey;
        }

        // The same header string as an accepted call before it on this connection: no hash (ApiKeyStore says why).
        var caller = keys.FindAccepted(authorization);
        if (caller is null)
        {
            var value = authorization.AsSpan().Trim();
            if (value.Length > MaxAuthorizationLength)
            {
                return UnknownKey;
            }

            var key = value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value["Bearer ".Length..].Trim() : [];
            if (key.IsEmpty)
            {
                return NoKey;
            }

            caller = keys.Find(key);
            if (caller is null)
            {
                return UnknownKey;
            }

            keys.RememberAccepted(authorization, caller);
        }

        return caller.Authenticated;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (AuthRefusal.Method(Context) is not { } method)
        {
            await base.HandleChallengeAsync(properties);
            return;
        }

        var address = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (limiter.RecordFailure(address) is { } wait)
        {
            await AuthRefusal.WriteAsync(Context, StatusCode.ResourceExhausted, "rate_limited",
                $"Too many calls without a valid API key came from {address}; wait {Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture)} seconds, then call again with a valid key in the metadata 'authorization: Bearer <key>'.");
            return;
        }

        var presented = (await HandleAuthenticateOnceSafeAsync()).Failure is not null;
        LogUnauthenticated(Logger, method.FullName, address, presented ? "unknown key" : "no key");
        await AuthRefusal.WriteAsync(Context, StatusCode.Unauthenticated, "unauthenticated", presented
            ? $"The API key sent to {method.FullName} is not one this service knows. Check the key (docs/security.md says where the AppHost keeps them) and send it as 'authorization: Bearer <key>'."
            : $"{method.FullName} needs an API key: send the metadata 'authorization: Bearer <key>'. With the AppHost the keys are its secret parameters (docs/security.md says where to find them).");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} from {Address}: {Problem}")]
    private static partial void LogUnauthenticated(ILogger logger, string method, string address, string problem);
}
