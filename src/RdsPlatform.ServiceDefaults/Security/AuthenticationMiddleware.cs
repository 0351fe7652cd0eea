using System.Diagnostics.Metrics;
using System.Globalization;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RdsPlatform.ServiceDefaults.Grpc;
using RdsPlatform.ServiceDefaults.Http;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>
/// Authenticates every gRPC call before its message is read: the <c>authorization: Bearer &lt;key&gt;</c> metadata
/// must name a configured key (else Unauthenticated, and after too many failures from one address ResourceExhausted),
/// and the key's role must be one the method's <see cref="AllowRolesAttribute"/> lists (else PermissionDenied).
/// Health and reflection are open, so probes and tools such as grpcurl list need no key. The HTTP/JSON form of an RPC
/// (transcoding) carries the same method metadata and is checked the same way, with its refusals written as JSON.
/// </summary>
public sealed partial class AuthenticationMiddleware(
    RequestDelegate next,
    ApiKeyStore keys,
    AuthFailureLimiter limiter,
    ILogger<AuthenticationMiddleware> logger)
{
    /// <summary>Longest authorization value looked at; anything longer cannot be a key.</summary>
    public const int MaxAuthorizationLength = 1024;

    private static readonly Meter Meter = new("RdsPlatform.Security");
    private static readonly Counter<long> Refused = Meter.CreateCounter<long>("rds.auth.refused", description: "Calls refused by authentication or authorization.");

    public async Task InvokeAsync(HttpContext context)
    {
        var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        if (method is null || IsOpen(method.ServiceName))
        {
            await next(context);
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        var caller = keys.FindAccepted(authorization);
        var presented = caller is null ? BearerKey(authorization) : [];
        if (caller is null && !presented.IsEmpty && keys.Find(presented) is { } found)
        {
            caller = found;
            keys.RememberAccepted(authorization, found);
        }

        if (caller is null)
        {
            var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            if (limiter.RecordFailure(address) is { } wait)
            {
                Refused.Add(1, new KeyValuePair<string, object?>("rds.outcome", "rate_limited"));
                await WriteStatusAsync(context, StatusCode.ResourceExhausted,
                    $"Too many calls without a valid API key came from {address}; wait {Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture)} seconds, then call again with a valid key in the metadata 'authorization: Bearer <key>'.");
                return;
            }

            LogUnauthenticated(method.FullName, address, presented.IsEmpty ? "no key" : "unknown key");
            Refused.Add(1, new KeyValuePair<string, object?>("rds.outcome", "unauthenticated"));
            await WriteStatusAsync(context, StatusCode.Unauthenticated, presented.IsEmpty
                ? $"{method.FullName} needs an API key: send the metadata 'authorization: Bearer <key>'. With the AppHost the keys are its secret parameters (docs/security.md says where to find them)."
                : $"The API key sent to {method.FullName} is not one this service knows. Check the key (docs/security.md says where the AppHost keeps them) and send it as 'authorization: Bearer <key>'.");
            return;
        }

        var allowed = context.GetEndpoint()!.Metadata.GetMetadata<AllowRolesAttribute>();
        if (allowed is null || !allowed.Allows(caller.Role))
        {
            LogForbidden(method.FullName, caller.KeyName, caller.Role);
            Refused.Add(1, new KeyValuePair<string, object?>("rds.outcome", "permission_denied"));
            await WriteStatusAsync(context, StatusCode.PermissionDenied, allowed is null || allowed.Roles.Count == 0
                ? $"No API key may call {method.FullName}."
                : $"The API key '{caller.KeyName}' has the role {caller.Role}, which may not call {method.FullName}; use a key with the role {string.Join(" or ", allowed.Roles)}.");
            return;
        }

        context.Features.Set(caller);
        await next(context);
    }

    private static bool IsOpen(string serviceName) =>
        serviceName.StartsWith("grpc.health.", StringComparison.Ordinal) || serviceName.StartsWith("grpc.reflection.", StringComparison.Ordinal);

    private static ReadOnlySpan<char> BearerKey(string authorization)
    {
        var value = authorization.AsSpan().Trim();
        if (value.Length > MaxAuthorizationLength || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return value.Length > MaxAuthorizationLength ? "\0invalid" : [];
        }

        return value["Bearer ".Length..].Trim();
    }

    private static Task WriteStatusAsync(HttpContext context, StatusCode code, string message)
    {
        if (JsonStatus.IsJsonEndpoint(context))
        {
            return JsonStatus.WriteAsync(context, code, message);
        }

        TrailersOnlyStatus.Write(context, code, message);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} from {Address}: {Problem}")]
    private partial void LogUnauthenticated(string method, string address, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} to key {KeyName} with role {Role}")]
    private partial void LogForbidden(string method, string keyName, string role);
}
