using Grpc.Core;
using System.Diagnostics.Metrics;
using Grpc.Health.V1;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Telemetry;

namespace RdsPlatform.LicenseServer.Tests;

public sealed class OperationsTests
{
    [Fact]
    public async Task IssuanceAndPoolLevelsArePublishedAsMetrics()
    {
        await using var host = new LicenseServerHost();
        await host.Client.ActivateAsync();
        await host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 5));
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var measured = new List<(string Name, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LicenseServerMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i.Name, v, tags));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i.Name, v, tags));
        listener.Start();

        await host.Client.PermanentDeviceAsync("hw-1");
        listener.RecordObservableInstruments();

        lock (measured)
        {
            var issued = measured.Where(m => m.Name == "rds.cal.issued").ToList();
            Assert.Equal(2, issued.Count);
            Assert.Equal([true, false], issued.Select(m => (bool)m.Tags["temporary"]!));
            Assert.Equal(4, measured.Single(m => m.Name == "rds.pool.available").Value);
            Assert.Equal(1, measured.Single(m => m.Name == "rds.pool.issued").Value);
            Assert.All(measured.Where(m => m.Name == "rds.cal.overused"), m => Assert.Equal(0, m.Value));
            Assert.Equal(4, measured.Count(m => m.Name == "rds.cal.overused"));
        }

        void Record(string name, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            lock (measured)
            {
                measured.Add((name, value, copy));
            }
        }
    }

    [Fact]
    public async Task TheHealthServiceReportsServingWithTheDatabaseCheck()
    {
        await using var host = new LicenseServerHost();
        var health = new Health.HealthClient(host.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task ACheckThatHangsAnswersNotServingOnceTheCheckTimeoutPasses()
    {
        // A check that ignores its cancellation token, as a driver waiting on a silent database server might.
        await using var host = new LicenseServerHost(new Dictionary<string, string?> { ["Health:CheckTimeout"] = "00:00:00.500" }, setup =>
            setup.TestServices.Add(services => services.AddHealthChecks().AddAsyncCheck("hangs", async () =>
            {
                await Task.Delay(Timeout.Infinite, CancellationToken.None);
                return HealthCheckResult.Healthy();
            })));
        var health = new Health.HealthClient(host.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(20));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, response.Status);
    }

    [Fact]
    public async Task ACheckThatFailsIsLoggedOnceWhenItFailsAndOnceWhenItRecoversNotForEveryProbe()
    {
        var failing = true;
        var logs = new CapturedLogs();
        await using var host = new LicenseServerHost(new Dictionary<string, string?> { ["Health:CacheDuration"] = "00:00:00.050" }, setup =>
            setup.TestServices.Add(services =>
            {
                services.AddSingleton<ILoggerProvider>(logs);
                services.AddHealthChecks().AddCheck("flaky", () => Volatile.Read(ref failing)
                    ? HealthCheckResult.Unhealthy("The flaky dependency does not answer.")
                    : HealthCheckResult.Healthy());
            }));
        var health = new Health.HealthClient(host.Channel);

        // Probes over many cache durations: the check runs again and again, failing each time.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
            await Task.Delay(20);
        }

        Volatile.Write(ref failing, false);
        while ((await health.CheckAsync(new HealthCheckRequest())).Status != HealthCheckResponse.Types.ServingStatus.Serving)
        {
            await Task.Delay(20);
        }

        var changes = logs.Of(ServiceDefaults.Health.HealthExtensions.LogCategory).Where(l => l.Message.Contains("flaky", StringComparison.Ordinal)).ToList();
        Assert.Collection(changes,
            failed => Assert.Equal((LogLevel.Warning, "Health check flaky is unhealthy: The flaky dependency does not answer."), (failed.Level, failed.Message)),
            recovered => Assert.Equal(LogLevel.Information, recovered.Level));
        Assert.DoesNotContain(logs.Of("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService"), l => l.Level >= LogLevel.Warning);
    }

    /// <summary>Every log line of the host, by category, level and formatted message.</summary>
    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Category, LogLevel Level, string Message)> _lines = new();

        public IEnumerable<(string Category, LogLevel Level, string Message)> Of(string category) => _lines.Where(l => l.Category == category);

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner._lines.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }

    [Theory]
    [InlineData("Health:CacheDuration", "-00:00:01", "Health:CacheDuration must be a duration from 0 to 1 minute")]
    [InlineData("Health:CheckTimeout", "00:00:00", "Health:CheckTimeout must be a duration from 10 ms to 1 minute")]
    public async Task AHealthSettingOutOfRangeStopsTheStartNamingTheKey(string key, string value, string sentence)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = new LicenseServerHost(new Dictionary<string, string?> { [key] = value });
            await host.Client.GetServerInfoAsync(new GetServerInfoRequest());
        });

        Assert.Contains(sentence, error.ToString());
    }

    [Fact]
    public async Task TheDatabaseRunsInWalModeWithSchemaVersionRecorded()
    {
        await using var host = new LicenseServerHost();
        await host.Client.GetServerInfoAsync(new GetServerInfoRequest());

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataDirectory, "license-server.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "SELECT MAX(version) FROM schema_version";
        Assert.Equal(5L, command.ExecuteScalar());
    }

    [Fact]
    public async Task AWorkgroupServerAdmitsPerUserWithoutTracking()
    {
        await using var host = new LicenseServerHost(new Dictionary<string, string?> { ["LicenseServer:Scope"] = "Workgroup" });

        var info = (await host.Client.GetServerInfoAsync(new GetServerInfoRequest())).Server;
        var response = await host.Client.RequestLicenseAsync(Requests.User("alice"));
        var device = await host.Client.RequestLicenseAsync(Requests.Device("hw-1"));

        Assert.Equal(ServerScope.Workgroup, info.Scope);
        Assert.Equal(ReasonCode.PerUserNotTracked, response.Reason);
        Assert.Equal(ReasonCode.TemporaryCalIssued, device.Reason);
    }

    [Fact]
    public async Task WithTheSecurityGroupOnlyListedHostsAreServed()
    {
        await using var host = new LicenseServerHost(new Dictionary<string, string?>
        {
            ["LicenseServer:SecurityGroupEnabled"] = "true",
            ["LicenseServer:AllowedSessionHosts:0"] = "host-1",
        });

        var allowed = await host.Client.RequestLicenseAsync(Requests.Device("hw-1"));
        var stranger = Requests.Device("hw-2");
        stranger.SessionHostId = "rogue-host";
        var refused = await Requests.RefusedAsync(() => host.Client.RequestLicenseAsync(stranger));
        var validate = await Requests.RefusedAsync(() => host.Client.MarkLicenseValidatedAsync(
            new MarkLicenseValidatedRequest { LicenseId = allowed.License.LicenseId, SessionHostId = "rogue-host" }));
        var renew = await Requests.RefusedAsync(() => host.Client.RenewLicenseAsync(
            new RenewLicenseRequest { LicenseId = allowed.License.LicenseId, SessionHostId = "rogue-host" }));

        Assert.Equal(ReasonCode.TemporaryCalIssued, allowed.Reason);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("'rogue-host' is not in this license server's security group", refused.Status.Detail);
        Assert.Contains("LicenseServer:AllowedSessionHosts", refused.Status.Detail);
        Assert.Equal(StatusCode.PermissionDenied, validate.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, renew.StatusCode);
        Assert.Single(await host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest()).ToListAsync());
        var failed = await host.Client.GetAuditTrail(new GetAuditTrailRequest { Types_ = { AuditEventType.IssuanceFailed } }).ToListAsync();
        Assert.Equal(3, failed.Count);
        Assert.All(failed, f => Assert.Equal("rogue-host", f.SessionHostId));
        var info = (await host.Client.GetServerInfoAsync(new GetServerInfoRequest())).Server;
        Assert.True(info.SecurityGroupEnabled);
        Assert.Equal(["host-1"], info.AllowedSessionHosts);
    }
}
