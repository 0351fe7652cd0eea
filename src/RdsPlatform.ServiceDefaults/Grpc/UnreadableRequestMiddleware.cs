using System.Globalization;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace RdsPlatform.ServiceDefaults.Grpc;

/// <summary>
/// grpc-dotnet answers a request it cannot read (a malformed frame, a compressed message without grpc-encoding, bytes
/// that are not the method's protobuf message) with Internal or Unknown before any handler runs. That is the caller's
/// mistake, not a server bug: this turns it into InvalidArgument with a sentence saying what to send.
/// </summary>
public sealed partial class UnreadableRequestMiddleware(RequestDelegate next, ILogger<UnreadableRequestMiddleware> logger)
{
    private static readonly object HandlerEnteredKey = new();

    /// <summary>Called by the outermost interceptor: from here on, failures are the handler's.</summary>
    public static void MarkHandlerEntered(HttpContext context) => context.Items[HandlerEnteredKey] = true;

    public async Task InvokeAsync(HttpContext context)
    {
        var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        await next(context);
        if (method is null || context.Response.HasStarted || context.Items.ContainsKey(HandlerEnteredKey))
        {
            return;
        }

        var status = context.Response.Headers["grpc-status"].ToString();
        if (status == ((int)StatusCode.Unknown).ToString(CultureInfo.InvariantCulture) || status == ((int)StatusCode.Internal).ToString(CultureInfo.InvariantCulture))
        {
            LogUnreadable(method.FullName, Uri.UnescapeDataString(context.Response.Headers["grpc-message"].ToString()));
            TrailersOnlyStatus.Write(context, StatusCode.InvalidArgument,
                $"The request could not be read as a {method.FullName} request: send exactly one uncompressed, well-formed protobuf message of that method's request type (at most {RpcLimits.MaxReceiveMessageBytes / (1024 * 1024)} MiB).");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused an unreadable {Method} request: {Detail}")]
    private partial void LogUnreadable(string method, string detail);
}
