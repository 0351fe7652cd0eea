using System.ComponentModel.DataAnnotations;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.ServiceDefaults.Grpc;

/// <summary>
/// Ends any streaming call that runs longer than <see cref="RpcOptions.MaxStreamDuration"/> with DeadlineExceeded, so a
/// client that never stops reading (or a slow reader) cannot hold a server stream forever.
/// </summary>
public sealed class StreamDurationInterceptor(IOptions<RpcOptions> options) : Interceptor
{
    private const string HttpContextKey = "__HttpContext";

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
        => Bounded(context, bounded => continuation(request, responseStream, bounded));

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        TResponse? response = null;
        await Bounded(context, async bounded => response = await continuation(requestStream, bounded));
        return response!;
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
        => Bounded(context, bounded => continuation(requestStream, responseStream, bounded));

    private async Task Bounded(ServerCallContext context, Func<ServerCallContext, Task> call)
    {
        var limit = options.Value.MaxStreamDuration;
        using var timeout = new CancellationTokenSource(limit);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, timeout.Token);
        if (context.UserState.Count == 0 || !context.UserState.ContainsKey(HttpContextKey))
        {
            try
            {
                // The key GetHttpContext falls back to for a context that is not ASP.NET Core's own.
                context.UserState[HttpContextKey] = context.GetHttpContext();
            }
            catch (InvalidOperationException)
            {
                // Not hosted by ASP.NET Core (a unit test's context): nothing to carry over.
            }
        }
        try
        {
            await call(new BoundedCallContext(context, linked.Token));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException
            && timeout.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw Problem.DeadlineExceeded(
                $"The stream ran longer than this service's limit of {limit.TotalMinutes:0.#} minutes and was ended; narrow the request or resume from the last item received.")
                .ToRpcException();
        }
    }

    /// <summary>The call's context with a cancellation token that also fires at the stream's time limit.</summary>
    private sealed class BoundedCallContext(ServerCallContext inner, CancellationToken token) : ServerCallContext
    {
        protected override string MethodCore => inner.Method;

        protected override string HostCore => inner.Host;

        protected override string PeerCore => inner.Peer;

        protected override DateTime DeadlineCore => inner.Deadline;

        protected override Metadata RequestHeadersCore => inner.RequestHeaders;

        protected override CancellationToken CancellationTokenCore => token;

        protected override Metadata ResponseTrailersCore => inner.ResponseTrailers;

        protected override Status StatusCore { get => inner.Status; set => inner.Status = value; }

        protected override WriteOptions? WriteOptionsCore { get => inner.WriteOptions; set => inner.WriteOptions = value; }

        protected override AuthContext AuthContextCore => inner.AuthContext;

        protected override IDictionary<object, object> UserStateCore => inner.UserState;

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => inner.CreatePropagationToken(options);

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => inner.WriteResponseHeadersAsync(responseHeaders);
    }
}

/// <summary>Configuration section <c>Rpc</c>: limits every service applies to its gRPC endpoints.</summary>
public sealed class RpcOptions
{
    public const string SectionName = "Rpc";

    /// <summary>Longest a streaming call may run before the server ends it.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00", ErrorMessage = "Rpc:MaxStreamDuration must be a duration from 1 ms to 1 day, for example 00:00:05.")]
    public TimeSpan MaxStreamDuration { get; set; } = TimeSpan.FromMinutes(30);
}
