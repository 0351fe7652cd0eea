using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using RdsPlatform.Testing;

namespace RdsPlatform.Reliability.Tests;

/// <summary>
/// The farm's API keys are the well-known <see cref="TestKeys"/>: handed to every process as environment variables
/// (<c>Auth__Keys__&lt;name&gt;__Key</c>, <c>__Role</c>, <c>__HostIds__n</c>, <c>Gateway__LicenseServerApiKey</c>) and sent by every channel the tests open.
/// </summary>
public static class FarmKeys
{
    /// <summary>Environment variables that make a service accept the test keys and send the service-to-service ones.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Environment() =>
        TestKeys.Settings.Where(s => s.Value is not null).Select(s => new KeyValuePair<string, string>(s.Key.Replace(":", "__"), s.Value!));

    /// <summary>
    /// The one way the tests call a service: <c>authorization: Bearer &lt;key&gt;</c> on every call, and a deadline on every call
    /// that does not set its own.
    /// </summary>
    public static CallInvoker Authorized(this GrpcChannel channel, string key, TimeSpan? defaultDeadline = null) =>
        channel.WithBearer(key).Intercept(new DefaultDeadline(defaultDeadline ?? TimeSpan.FromSeconds(30)));

    private sealed class DefaultDeadline(TimeSpan deadline) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
            AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, WithDeadline(context));

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request,
            ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, WithDeadline(context));

        private ClientInterceptorContext<TRequest, TResponse> WithDeadline<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
            where TRequest : class
            where TResponse : class =>
            context.Options.Deadline is null
                ? new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithDeadline(DateTime.UtcNow + deadline))
                : context;
    }
}
