using System.Diagnostics.Metrics;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using RdsPlatform.ServiceDefaults.Grpc;
using RdsPlatform.ServiceDefaults.Http;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>
/// Writes a refusal of authentication or authorization before the RPC reads its message: a trailers-only gRPC status,
/// or on the HTTP/JSON form of the RPC a <c>google.rpc.Status</c> body; and counts it in <c>rds.auth.refused</c>.
/// </summary>
internal static class AuthRefusal
{
    private static readonly Meter Meter = new("RdsPlatform.Security");
    private static readonly Counter<long> Refused = Meter.CreateCounter<long>("rds.auth.refused", description: "Calls refused by authentication or authorization.");

    /// <summary>The RPC a request is for, or null when it is not a gRPC method (nor its HTTP/JSON form).</summary>
    public static IMethod? Method(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;

    public static Task WriteAsync(HttpContext context, StatusCode code, string outcome, string message)
    {
        Refused.Add(1, new KeyValuePair<string, object?>("rds.outcome", outcome));
        if (JsonStatus.IsJsonEndpoint(context))
        {
            return JsonStatus.WriteAsync(context, code, message);
        }

        TrailersOnlyStatus.Write(context, code, message);
        return Task.CompletedTask;
    }
}
