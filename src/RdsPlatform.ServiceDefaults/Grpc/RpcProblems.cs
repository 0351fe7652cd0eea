using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace RdsPlatform.ServiceDefaults.Grpc;

/// <summary>A field of a request that was refused, and why, in a sentence a person can act on.</summary>
public sealed record FieldProblem(string Field, string Description);

/// <summary>
/// The one place that turns expected refusals into gRPC status codes. Every message is a sentence a person
/// can act on; field problems travel as <c>google.rpc.BadRequest</c> details.
/// </summary>
public static class RpcProblems
{
    public static RpcException InvalidArgument(string message, IEnumerable<FieldProblem> problems)
    {
        var badRequest = new BadRequest();
        badRequest.FieldViolations.AddRange(problems.Select(p => new BadRequest.Types.FieldViolation { Field = p.Field, Description = p.Description }));
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = badRequest.FieldViolations.Count == 0
                ? message
                : $"{message} {string.Join(" ", badRequest.FieldViolations.Select(v => $"{v.Field}: {v.Description}"))}",
            Details = { Any.Pack(badRequest) },
        };
        return status.ToRpcException();
    }

    public static RpcException InvalidArgument(string field, string description)
        => InvalidArgument("The request is invalid.", [new FieldProblem(field, description)]);

    public static RpcException NotFound(string message) => Simple(Code.NotFound, message);

    public static RpcException AlreadyExists(string message) => Simple(Code.AlreadyExists, message);

    public static RpcException FailedPrecondition(string message) => Simple(Code.FailedPrecondition, message);

    public static RpcException PermissionDenied(string message) => Simple(Code.PermissionDenied, message);

    public static RpcException Unauthenticated(string message) => Simple(Code.Unauthenticated, message);

    public static RpcException ResourceExhausted(string message) => Simple(Code.ResourceExhausted, message);

    public static RpcException Unavailable(string message) => Simple(Code.Unavailable, message);

    public static RpcException DeadlineExceeded(string message) => Simple(Code.DeadlineExceeded, message);

    private static RpcException Simple(Code code, string message)
        => new Google.Rpc.Status { Code = (int)code, Message = message }.ToRpcException();
}
