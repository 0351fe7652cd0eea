using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace RdsPlatform.Reliability.Tests;

/// <summary>
/// The API keys of the farm, one per role of the authentication contract, handed to every process through configuration
/// (<c>Auth:Keys:&lt;name&gt;:Key</c>, <c>:Role</c>, <c>:HostIds:n</c>) and sent by every channel the tests open.
/// </summary>
public static class FarmKeys
{
    public const string Admin = "reliability-admin-key-0123456789abcdef";
    public const string SessionHost = "reliability-session-host-key-0123456789abcdef";
    public const string Client = "reliability-client-key-0123456789abcdef";
    public const string Reporter = "reliability-reporter-key-0123456789abcdef";

    /// <summary>Environment variables that make a service accept the four keys (hosts: any).</summary>
    public static IEnumerable<KeyValuePair<string, string>> Environment()
    {
        foreach (var (name, key, role) in new[] { ("admin", Admin, "admin"), ("session-host", SessionHost, "session-host"), ("client", Client, "client"), ("reporter", Reporter, "reporter") })
        {
            yield return new($"Auth__Keys__{name}__Key", key);
            yield return new($"Auth__Keys__{name}__Role", role);
            if (role == "session-host")
            {
                yield return new($"Auth__Keys__{name}__HostIds__0", "*");
            }
        }
    }

    /// <summary>
    /// The one way the tests call a service: <c>authorization: Bearer &lt;key&gt;</c> on every call, and a deadline on every call
    /// that does not set its own.
    /// </summary>
    public static CallInvoker WithBearer(this GrpcChannel channel, string key, TimeSpan? defaultDeadline = null) =>
        channel.Intercept(new BearerInterceptor(key, defaultDeadline ?? TimeSpan.FromSeconds(30)));

    private sealed class BearerInterceptor(string key, TimeSpan defaultDeadline) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
            AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, Decorate(context));

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request,
            ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, Decorate(context));

        private ClientInterceptorContext<TRequest, TResponse> Decorate<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
            where TRequest : class
            where TResponse : class
        {
            var headers = context.Options.Headers ?? [];
            headers.Add("authorization", $"Bearer {key}");
            var options = context.Options.WithHeaders(headers);
            if (options.Deadline is null)
            {
                options = options.WithDeadline(DateTime.UtcNow + defaultDeadline);
            }

            return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options);
        }
    }
}
