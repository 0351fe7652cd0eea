using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;

namespace RdsPlatform.ServiceDefaults.Http;

/// <summary>
/// Refusals written by middleware before a handler runs (authentication, authorization, rate limit) on an HTTP/JSON
/// endpoint: a <c>google.rpc.Status</c> JSON body with the HTTP status transcoding gives the same gRPC code, so a script
/// sees one error shape whoever refused the call.
/// </summary>
public static class JsonStatus
{
    /// <summary>True when the request came through the HTTP/JSON form of an RPC rather than gRPC.</summary>
    public static bool IsJsonEndpoint(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null;

    /// <summary>True when the call came through the HTTP/JSON form of its RPC (whose stream writer has no write options).</summary>
    public static bool IsHttpJson(this ServerCallContext context) => IsJsonEndpoint(context.GetHttpContext());

    internal static Task WriteAsync(HttpContext context, StatusCode code, string message)
    {
        context.Response.StatusCode = HttpStatusFor(code);
        context.Response.ContentType = "application/json; charset=utf-8";
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        return context.Response.WriteAsync(JsonFormatter.Default.Format(status), context.RequestAborted);
    }

    // The mapping of google/rpc/code.proto, which transcoding applies to handler errors.
    private static int HttpStatusFor(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };
}
