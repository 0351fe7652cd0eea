namespace RdsPlatform.Cli.Infrastructure;

/// <summary>The process exit codes rdslic documents (docs/cli.md) and scripts rely on.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The service answered and refused: InvalidArgument, FailedPrecondition, NotFound, AlreadyExists, PermissionDenied, Unauthenticated, ResourceExhausted...</summary>
    public const int Refused = 1;

    /// <summary>The command line itself is wrong: unknown command or option, missing argument, unparsable value.</summary>
    public const int Usage = 2;

    /// <summary>A service could not be reached or did not answer before the deadline (Unavailable, DeadlineExceeded).</summary>
    public const int Unreachable = 3;

    /// <summary>The service failed unexpectedly (Internal, Unknown, Unimplemented, DataLoss): a bug or a version mismatch.</summary>
    public const int ServerError = 4;

    /// <summary><c>host diagnose</c> answered, and at least one finding is an error (scripts and monitoring can act on it).</summary>
    public const int DiagnosedError = 5;

    /// <summary>Interrupted with Ctrl+C.</summary>
    public const int Cancelled = 130;
}
