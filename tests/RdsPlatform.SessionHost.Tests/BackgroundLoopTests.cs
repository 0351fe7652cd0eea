using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RdsPlatform.SessionHost.Alerts;
using RdsPlatform.SessionHost.Connections;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>
/// The gateway's background loops survive their own failures, a database call cancelled by its own timeout included:
/// only the host stopping ends them. A loop that ended would, by the host's default, stop the whole gateway.
/// </summary>
public sealed class BackgroundLoopTests
{
    [Fact]
    public async Task HostRefreshesGoOnAfterOneThatWasCancelledByItsOwnTimeout()
    {
        // The store reads every host once when it is built; the listener's first refresh then times out.
        var repository = new RepositoryFailingOnRead(failingRead: 2, new TaskCanceledException("The hosts query timed out."));
        var store = new SessionHostStore(repository, TimeProvider.System);
        using var listener = new HostChangeListener(store, new NoNotices(),
            Options.Create(new GatewayOptions { HostRefreshInterval = TimeSpan.FromMilliseconds(20) }), NullLogger<HostChangeListener>.Instance);

        await listener.StartAsync(CancellationToken.None);
        await BackgroundLoops.RunsPastTheFailureAsync(listener, repository.ReadAfterTheFailure.Task);
    }

    [Theory]
    [InlineData("timeout")]
    [InlineData("unexpected")]
    public async Task GraceAlertRoundsGoOnAfterAnyFailure(string failure)
    {
        Exception error = failure == "timeout" ? new TaskCanceledException("The outbox query timed out.") : new ArgumentException("A row the outbox could not read.");
        var outbox = new OutboxFailingOnce(error);
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        // No host is in its grace period, so the rounds never reach a license server.
        using var monitor = new GraceAlertMonitor(new SessionHostStore(new RepositoryFailingOnRead(0, error), TimeProvider.System), null!, outbox,
            Options.Create(new GraceAlertOptions { CheckInterval = TimeSpan.FromMilliseconds(20) }), TimeProvider.System,
            meters.GetRequiredService<IMeterFactory>(), NullLogger<GraceAlertMonitor>.Instance);

        await monitor.StartAsync(CancellationToken.None);
        await BackgroundLoops.RunsPastTheFailureAsync(monitor, outbox.ReadAfterTheFailure.Task);
    }

    private sealed class RepositoryFailingOnRead(int failingRead, Exception error) : ISessionHostRepository
    {
        private int _reads;

        public TaskCompletionSource ReadAfterTheFailure { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<SessionHostSettings> LoadAll()
        {
            var read = Interlocked.Increment(ref _reads);
            if (read == failingRead)
            {
                throw error;
            }

            if (failingRead > 0 && read > failingRead)
            {
                ReadAfterTheFailure.TrySetResult();
            }

            return [];
        }

        public SessionHostSettings Save(SessionHostConfiguration configuration, DateTimeOffset now) => throw new NotSupportedException();

        public SessionHostSettings? Load(string hostId) => null;

        public (IReadOnlyList<SessionHostSettings> Hosts, int Total) Page(string? afterHostId, int take) => ([], 0);
    }

    private sealed class NoNotices : IHostChangeNotices
    {
        public void Announce(string hostId)
        {
        }

        public Task SubscribeAsync(Action<string> onChanged) => Task.CompletedTask;
    }

    private sealed class OutboxFailingOnce(Exception error) : IGatewayAlertOutbox
    {
        private int _reads;

        public TaskCompletionSource ReadAfterTheFailure { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<GatewayAlertRow> Undelivered()
        {
            if (Interlocked.Increment(ref _reads) == 1)
            {
                throw error;
            }

            ReadAfterTheFailure.TrySetResult();
            return [];
        }

        public bool WasRaised(string hostId, DateTimeOffset graceStartedAt) => false;

        public bool TryAdd(GatewayAlertRow alert) => throw new NotSupportedException();

        public IReadOnlyList<GatewayAlertRow> ForHost(string hostId) => [];

        public void MarkDelivered(Guid alertId, DateTimeOffset at) => throw new NotSupportedException();
    }
}
