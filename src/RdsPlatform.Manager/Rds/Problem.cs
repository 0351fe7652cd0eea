using Google.Rpc;
using Grpc.Core;

namespace RdsPlatform.Manager.Rds;

/// <summary>
/// What a refused call means to the person at the page: the service's sentence, and its field violations by field name
/// so that a form shows each next to its field.
/// </summary>
public sealed record Problem(string Message, IReadOnlyDictionary<string, string> Fields)
{
    public static Problem From(RpcException exception)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var violation in exception.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations ?? [])
        {
            fields[violation.Field] = fields.TryGetValue(violation.Field, out var earlier) ? $"{earlier} {violation.Description}" : violation.Description;
        }

        return new Problem(Sentence(exception), fields);
    }

    public string? For(string field) => Fields.GetValueOrDefault(field);

    private static string Sentence(RpcException exception) => exception.StatusCode switch
    {
        StatusCode.Unavailable => $"The service did not answer ({exception.Status.Detail}). Check that it is running, then try again.",
        StatusCode.DeadlineExceeded => "The service did not answer in time; try again, or narrow the request.",
        StatusCode.Unauthenticated => $"{exception.Status.Detail} Sign out and sign in again with a valid key.",
        StatusCode.Cancelled => "The request was cancelled.",
        _ when string.IsNullOrWhiteSpace(exception.Status.Detail) => $"The service refused the request ({exception.StatusCode}).",
        _ => exception.Status.Detail,
    };
}
