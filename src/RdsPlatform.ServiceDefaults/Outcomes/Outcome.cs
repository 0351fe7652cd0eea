using RdsPlatform.Licensing;

namespace RdsPlatform.ServiceDefaults.Outcomes;

/// <summary>The kinds of expected refusal; <see cref="ProblemExtensions.ToRpcException"/> maps each to one gRPC status code.</summary>
public enum ProblemKind
{
    InvalidArgument = 1,
    NotFound = 2,
    AlreadyExists = 3,
    FailedPrecondition = 4,
    PermissionDenied = 5,
    Unauthenticated = 6,
    ResourceExhausted = 7,
    Unavailable = 8,
    DeadlineExceeded = 9,
}

/// <summary>An expected refusal: a sentence a person can act on, and the fields at fault when there are any.</summary>
public sealed record Problem(ProblemKind Kind, string Message, IReadOnlyList<FieldViolation>? Violations = null)
{
    public static Problem Invalid(string message, IReadOnlyList<FieldViolation> violations) => new(ProblemKind.InvalidArgument, message, violations);

    /// <summary>One refused field, under the generic sentence "The request is invalid.".</summary>
    public static Problem Invalid(string field, string description) => Invalid("The request is invalid.", [new FieldViolation(field, description)]);

    public static Problem NotFound(string message) => new(ProblemKind.NotFound, message);

    public static Problem AlreadyExists(string message) => new(ProblemKind.AlreadyExists, message);

    public static Problem FailedPrecondition(string message) => new(ProblemKind.FailedPrecondition, message);

    public static Problem PermissionDenied(string message) => new(ProblemKind.PermissionDenied, message);

    public static Problem Unauthenticated(string message) => new(ProblemKind.Unauthenticated, message);

    public static Problem ResourceExhausted(string message) => new(ProblemKind.ResourceExhausted, message);

    public static Problem Unavailable(string message) => new(ProblemKind.Unavailable, message);

    public static Problem DeadlineExceeded(string message) => new(ProblemKind.DeadlineExceeded, message);
}

/// <summary>Either a value or the <see cref="Problem"/> that refused it.</summary>
public readonly record struct Outcome<T>(T? Value, Problem? Problem)
{
    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Problem problem) => new(default, problem);
}
