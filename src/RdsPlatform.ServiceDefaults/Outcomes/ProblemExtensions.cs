using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace RdsPlatform.ServiceDefaults.Outcomes;

/// <summary>
/// The one place an expected refusal becomes a gRPC status. Every message is a sentence a person can act on; field
/// problems travel as <c>google.rpc.BadRequest</c> details and are repeated in the message for callers without them.
/// </summary>
public static class ProblemExtensions
{
    public static RpcException ToRpcException(this Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var status = new Google.Rpc.Status { Code = (int)StatusCode(problem.Kind), Message = problem.Message };
        if (problem.Kind == ProblemKind.InvalidArgument)
        {
            var badRequest = new BadRequest();
            badRequest.FieldViolations.AddRange((problem.Violations ?? []).Select(v =>
                new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description }));
            if (badRequest.FieldViolations.Count > 0)
            {
                status.Message = $"{problem.Message} {string.Join(" ", badRequest.FieldViolations.Select(v => $"{v.Field}: {v.Description}"))}";
            }

            status.Details.Add(Any.Pack(badRequest));
        }

        return status.ToRpcException();
    }

    /// <summary>The outcome's value, or its problem thrown as the matching <see cref="RpcException"/>.</summary>
    public static T ValueOrThrow<T>(this Outcome<T> outcome) =>
        outcome.Problem is { } problem ? throw problem.ToRpcException() : outcome.Value!;

    /// <summary>Throws <paramref name="message"/> with the field violations when there are any; returns when there are none.</summary>
    public static void ThrowIfAny(this IReadOnlyList<Licensing.FieldViolation> violations, string message)
    {
        if (violations.Count > 0)
        {
            throw Problem.Invalid(message, violations).ToRpcException();
        }
    }

    private static Code StatusCode(ProblemKind kind) => kind switch
    {
        ProblemKind.InvalidArgument => Code.InvalidArgument,
        ProblemKind.NotFound => Code.NotFound,
        ProblemKind.AlreadyExists => Code.AlreadyExists,
        ProblemKind.FailedPrecondition => Code.FailedPrecondition,
        ProblemKind.PermissionDenied => Code.PermissionDenied,
        ProblemKind.Unauthenticated => Code.Unauthenticated,
        ProblemKind.ResourceExhausted => Code.ResourceExhausted,
        ProblemKind.Unavailable => Code.Unavailable,
        ProblemKind.DeadlineExceeded => Code.DeadlineExceeded,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "A problem kind without a gRPC status; add it to ProblemExtensions."),
    };
}
