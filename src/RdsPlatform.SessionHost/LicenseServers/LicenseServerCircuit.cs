// Skipping a license server that stopped answering: its circuit breaker.
using Grpc.Core;
using Polly;
using Polly.CircuitBreaker;

namespace RdsPlatform.SessionHost.LicenseServers;

/// <summary>What a call through a <see cref="LicenseServerCircuit"/> came to: the response, the failure, or skipped unasked.</summary>
public readonly record struct CircuitCall<T>(T? Response, RpcException? Failure, bool Skipped);

/// <summary>
/// One license server's circuit breaker (Polly's <c>CircuitBreakerStrategy</c> on the gateway's <see cref="TimeProvider"/>):
/// a call that fails as an outage does opens it, and the server is then skipped for <see cref="GatewayOptions.LicenseServerRetryAfter"/>
/// so that connections do not each wait for its deadline; after that one call tries it again, and its answer closes the circuit.
/// A refusal (PermissionDenied, Unauthenticated, ...) is an answer, not an outage. A retry period of zero turns skipping off.
/// </summary>
public sealed class LicenseServerCircuit
{
    /// <summary>
    /// Polly judges a server once it saw two calls in this window (its least), so any failure opens the circuit of a server
    /// that was called in the last hour; a server not called for that long is skipped from its second failure in a row.
    /// </summary>
    internal static readonly TimeSpan SamplingDuration = TimeSpan.FromHours(1);

    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;
    private long _openUntilUtcTicks;

    public LicenseServerCircuit(TimeSpan retryAfter, TimeProvider time)
    {
        _time = time;
        _pipeline = retryAfter <= TimeSpan.Zero ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                // Any outage opens it (once Polly has two calls in the window to judge by), as one failed call skipped a server before.
                FailureRatio = 0,
                MinimumThroughput = 2,
                SamplingDuration = SamplingDuration,
                BreakDuration = retryAfter,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is RpcException failure && IsOutage(failure, args.Context.CancellationToken)),
                OnOpened = args =>
                {
                    Interlocked.Exchange(ref _openUntilUtcTicks, (_time.GetUtcNow() + args.BreakDuration).UtcTicks);
                    return default;
                },
                OnClosed = _ =>
                {
                    Interlocked.Exchange(ref _openUntilUtcTicks, 0);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>True while the server is skipped after an outage (until its retry period ends).</summary>
    public bool IsOpen => _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _openUntilUtcTicks);

    /// <summary>A failure that says the server is not there (as opposed to a refusal it answered), unless the caller gave up first.</summary>
    public static bool IsOutage(RpcException failure, CancellationToken callerToken) => !callerToken.IsCancellationRequested
        && failure.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.Internal or StatusCode.Unknown;

    /// <summary>Makes <paramref name="call"/> unless the circuit is open; its <see cref="RpcException"/> is returned, not thrown.</summary>
    public async Task<CircuitCall<T>> CallAsync<T, TState>(Func<TState, CancellationToken, Task<T>> call, TState state, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(static async (context, args) =>
            {
                try
                {
                    return Outcome.FromResult(await args.call(args.state, context.CancellationToken).ConfigureAwait(false));
                }
                catch (RpcException ex)
                {
                    return Outcome.FromException<T>(ex);
                }
            }, context, (call, state)).ConfigureAwait(false);
            return outcome.Exception switch
            {
                null => new CircuitCall<T>(outcome.Result, null, false),
                RpcException failure => new CircuitCall<T>(default, failure, false),
                BrokenCircuitException => new CircuitCall<T>(default, null, true),
                _ => Rethrow(outcome),
            };
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static CircuitCall<T> Rethrow<T>(Outcome<T> outcome)
    {
        outcome.ThrowIfException();
        return default;
    }
}
