using Google.Rpc;
using Grpc.Core;

namespace RdsPlatform.Cli.Infrastructure;

/// <summary>The one place that turns a gRPC failure into a message on standard error and an exit code.</summary>
public static class ErrorReporter
{
    public static int Report(RpcException exception, ServiceClients clients, TextWriter error)
    {
        var service = clients.Used.Count > 0 ? clients.Used[^1] : clients.LicenseServerEndpoint;
        var code = exception.StatusCode;
        switch (code)
        {
            case StatusCode.Unavailable when exception.Status.DebugException is not null:
                error.WriteLine($"error: Unavailable: could not reach the {service.Name} at {service.Address} ({Innermost(exception.Status.DebugException).Message}).");
                error.WriteLine($"Check that the service is running and that its address is right ({service.Option} or {service.Variable}).");
                return ExitCodes.Unreachable;
            case StatusCode.DeadlineExceeded:
                error.WriteLine($"error: DeadlineExceeded: the {service.Name} at {service.Address} did not answer within {Durations.Format(clients.Timeout)}.");
                error.WriteLine("Check that the service is healthy, or allow more time with --timeout.");
                return ExitCodes.Unreachable;
            case StatusCode.Cancelled:
                error.WriteLine("error: Cancelled: the command was interrupted; the service may or may not have applied it.");
                return ExitCodes.Cancelled;
        }

        error.WriteLine($"error: {code}: {Sentence(exception.Status.Detail, code)}");
        foreach (var violation in FieldViolations(exception))
        {
            error.WriteLine($"  - {violation.Field}: {violation.Description}");
        }

        if (code == StatusCode.Unauthenticated && !clients.HasApiKey)
        {
            error.WriteLine($"Pass an API key with --api-key or {GlobalSettings.ApiKeyVariable}.");
        }

        return code switch
        {
            StatusCode.Unavailable => ExitCodes.Unreachable,
            StatusCode.Internal or StatusCode.Unknown or StatusCode.Unimplemented or StatusCode.DataLoss => ExitCodes.ServerError,
            _ => ExitCodes.Refused,
        };
    }

    private static IEnumerable<BadRequest.Types.FieldViolation> FieldViolations(RpcException exception)
    {
        var status = exception.GetRpcStatus();
        var badRequest = status?.GetDetail<BadRequest>();
        return badRequest?.FieldViolations ?? Enumerable.Empty<BadRequest.Types.FieldViolation>();
    }

    private static string Sentence(string detail, StatusCode code) => string.IsNullOrWhiteSpace(detail)
        ? code switch
        {
            StatusCode.Unimplemented => "the service does not offer this call; it may be an older version than rdslic expects.",
            _ => "the service gave no explanation.",
        }
        : detail;

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }
}
