using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RdsPlatform.Licensing;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.SessionHost.LicenseServers;
using RdsPlatform.SessionHost.Storage;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>
/// R12: a Per User user the gateway admits as not tracked is decided without the license server, yet its audit trail (and
/// the Per User report read from it) must list the user as Not Tracking. Connect waits only until the admission is committed
/// to an outbox table (<see cref="INotTrackedSignInQueue"/>, SQLite or PostgreSQL; group commit: one fsync for every admission queued meanwhile), so an
/// admission that was answered is never lost; a second loop delivers the rows as the RequestLicense the license server
/// answers PER_USER_NOT_TRACKED and audits. While no license server answers, the rows wait in the outbox (across restarts) and
/// are retried every <see cref="GatewayOptions.NotTrackedRetryInterval"/>; an admission never waits for a license server.
/// </summary>
public sealed partial class NotTrackedSignInOutbox(
    INotTrackedSignInQueue queue,
    SessionHostStore hosts,
    LicenseServerRegistry servers,
    IOptions<GatewayOptions> options,
    ILogger<NotTrackedSignInOutbox> logger) : BackgroundService
{
    /// <summary>Admissions waiting for the next group commit; beyond it Connect waits for room (back-pressure, never a drop).</summary>
    private const int PendingCapacity = 10_000;

    private readonly Channel<Pending> _pending = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(PendingCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Wakes the delivery loop when new rows are committed.</summary>
    private readonly SemaphoreSlim _committed = new(0, 1);

    /// <summary>Commits a not-tracked admission to the outbox; completes once it is durable, never waits for a license server.</summary>
    public async Task AddAsync(ConnectAttempt attempt, CancellationToken cancellationToken)
    {
        var pending = new Pending(attempt with { Presented = default }, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _pending.Writer.WriteAsync(pending, cancellationToken);
        await pending.Committed.Task.WaitAsync(cancellationToken);
    }

    /// <summary>How many admissions wait in the outbox for a license server.</summary>
    public int Waiting() => queue.Count();

    // The commits must not wait behind a delivery round that waits for an unreachable license server: two loops.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Task.Run(() => CommitLoopAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => DeliveryLoopAsync(stoppingToken), CancellationToken.None));

    private async Task CommitLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _pending.Reader.WaitToReadAsync(stoppingToken))
            {
                CommitQueued();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: Kestrel no longer takes calls; what is still queued is committed below before its callers are answered.
        }
        finally
        {
            CommitQueued();
        }
    }

    private async Task DeliveryLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeliverAsync(stoppingToken);
                // Woken by newly committed rows, else retried after the interval (operational time: it must pass under a simulated clock).
                await _committed.WaitAsync(options.Value.NotTrackedRetryInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogDeliveryFailed(ex);
                await Task.Delay(options.Value.NotTrackedRetryInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// Commits every queued admission in one transaction (one fsync however many) and only then answers their callers; a
    /// failed commit fails them, so their Connect answers an error instead of an admission nobody recorded.
    /// </summary>
    private void CommitQueued()
    {
        var batch = new List<Pending>();
        while (_pending.Reader.TryRead(out var next))
        {
            batch.Add(next);
        }

        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            // Wall time: the row's age in operation, not on the licensing clock.
            queue.Add(batch.ConvertAll(p => p.Attempt), DateTimeOffset.UtcNow);
        }
        catch (Exception ex)
        {
            batch.ForEach(p => p.Committed.TrySetException(ex));
            return;
        }

        batch.ForEach(p => p.Committed.TrySetResult());
        if (_committed.CurrentCount == 0)
        {
            try
            {
                _committed.Release();
            }
            catch (SemaphoreFullException)
            {
                // The delivery loop was woken already.
            }
        }
    }

    /// <summary>
    /// Delivers waiting admissions oldest first. One whose host's license servers do not answer waits for the next round; one
    /// every answering server refused (security group, R18: the server audited that refusal itself) is dropped.
    /// </summary>
    private async Task DeliverAsync(CancellationToken cancellationToken)
    {
        for (long? after = 0; after is { } last && !cancellationToken.IsCancellationRequested;)
        {
            after = await queue.DeliverNextAsync(last, attempt => DeliverAsync(attempt, cancellationToken), cancellationToken);
        }
    }

    /// <summary>Whether the admission is done with: recorded by a license server, refused by all that answered, or its host is gone.</summary>
    private async Task<bool> DeliverAsync(ConnectAttempt attempt, CancellationToken cancellationToken)
    {
        if (hosts.Find(attempt.HostId) is not { } host)
        {
            return true;
        }

        var refused = false;
        var request = ConnectionGateway.LicenseRequest(host, CalType.PerUser, attempt);
        var reply = await servers.FirstAnswerAsync(host.LicenseServers, async (server, callOptions) =>
        {
            try
            {
                return await server.Client.RequestLicenseAsync(request, callOptions).ResponseAsync;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated or StatusCode.InvalidArgument)
            {
                refused = true;
                return null;
            }
        }, cancellationToken);
        if (reply is null && !refused)
        {
            LogWaiting(attempt.HostId);
            return false;
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "No license server of {HostId} answered; not-tracked sign-ins wait in the outbox")]
    private partial void LogWaiting(string hostId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering not-tracked sign-ins to the license server failed; retrying")]
    private partial void LogDeliveryFailed(Exception ex);

    private sealed record Pending(ConnectAttempt Attempt, TaskCompletionSource Committed);
}
