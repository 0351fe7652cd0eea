using Grpc.Core;
using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.ServiceDefaults.Grpc;

/// <summary>
/// What is left of the old status helpers: the refusal <see cref="Security.RdsCaller"/> throws. It goes through
/// <see cref="ProblemExtensions.ToRpcException"/>, the one place a problem becomes a status; new code throws
/// <c>Problem.X(...).ToRpcException()</c> directly, and this class goes when the security code does so too.
/// </summary>
public static class RpcProblems
{
    public static RpcException PermissionDenied(string message) => Problem.PermissionDenied(message).ToRpcException();
}
