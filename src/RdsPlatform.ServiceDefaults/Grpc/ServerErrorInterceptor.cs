using System.Data.Common;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace RdsPlatform.ServiceDefaults.Grpc;

/// <summary>
/// Last line of defence: an exception that is not an <see cref="RpcException"/> is a bug. It is logged with
/// the method, and the caller gets Internal with a sentence and no stack trace. A call the caller cancelled
/// ends as Cancelled, not as an error. A database that cannot be reached (a transient <see cref="DbException"/>:
/// PostgreSQL stopped, restarting or refusing connections, a SQLite file busy past its timeout) is not a bug: the
/// caller gets Unavailable, which clients retry, with a sentence saying so.
/// </summary>
public sealed partial class ServerErrorInterceptor(ILogger<ServerErrorInterceptor> logger) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        => GuardAsync(context, () => continuation(request, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
        => GuardAsync(context, async () =>
        {
            await continuation(request, responseStream, context);
            return true;
        });

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
        => GuardAsync(context, () => continuation(requestStream, context));

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
        => GuardAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context);
            return true;
        });

    /// <summary>Runs one handler, turning an exception that is not an RpcException into a status (see the type's summary).</summary>
    private async Task<T> GuardAsync<T>(ServerCallContext context, Func<Task<T>> handler)
    {
        UnreadableRequestMiddleware.MarkHandlerEntered(context.GetHttpContext());
        try
        {
            return await handler();
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Translate(ex, context);
        }
    }

    private RpcException Translate(Exception ex, ServerCallContext context)
    {
        if (ex is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            return new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled or its deadline passed."));
        }

        if (TransientDatabaseFailure(ex) is { } database)
        {
            LogDatabaseUnavailable(database, context.Method);
            return new RpcException(new Status(StatusCode.Unavailable,
                "The service cannot use its database right now (unreachable, restarting or busy), so this call may not have completed. " +
                "Try again in a few seconds; if this lasts, check that the service's database server is running and reachable (the service log has the error)."));
        }

        LogUnhandled(ex, context.Method);
        return new RpcException(new Status(StatusCode.Internal,
            $"The server failed while handling {context.Method}. This is a bug; the server log has the details."));
    }

    /// <summary>The transient database failure in <paramref name="ex"/> or its inner exceptions, if any.</summary>
    private static DbException? TransientDatabaseFailure(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is DbException { IsTransient: true } database)
            {
                return database;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} failed: the database is unavailable; the caller was answered Unavailable")]
    private partial void LogDatabaseUnavailable(Exception exception, string method);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception in {Method}")]
    private partial void LogUnhandled(Exception exception, string method);
}
