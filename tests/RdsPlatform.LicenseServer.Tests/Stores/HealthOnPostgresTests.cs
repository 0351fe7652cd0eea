using System.Diagnostics;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace RdsPlatform.LicenseServer.Tests.Stores;

/// <summary>
/// grpc.health.v1.Health/Check of a license server on PostgreSQL answers from recent check results: a storm of probes
/// runs each database check at most once per Health:CacheDuration, and a database that stops and starts again shows as
/// NOT_SERVING and SERVING within the documented bound (cache duration + check timeout).
/// </summary>
public sealed class HealthOnPostgresTests(PostgresDatabaseFixture database, ITestOutputHelper output) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan CacheDuration = TimeSpan.FromMilliseconds(500);

    // The documented bound is Health:CacheDuration + Health:CheckTimeout (here 0.5 + 2 s); a shared 2-core machine
    // can stall a test for seconds, so the test waits longer before calling the bound missed.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ConcurrentProbesRunEachDatabaseCheckAtMostOncePerCacheDuration()
    {
        var counted = 0;
        await using var host = new LicenseServerHost(PostgresSettings(await database.CreateDatabaseAsync("health")), setup =>
            setup.TestServices.Add(services => services.AddHealthChecks().AddCheck("counted", () =>
            {
                Interlocked.Increment(ref counted);
                return HealthCheckResult.Healthy();
            })));
        var health = new Health.HealthClient(host.Channel);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        using var runs = new HealthCheckRuns(host.Services);
        var countedBefore = Volatile.Read(ref counted);

        var (probes, elapsed) = await HealthProbes.StormAsync(host.Channel, TimeSpan.FromSeconds(2));

        var intervals = (int)(elapsed / CacheDuration);
        var countedRuns = Volatile.Read(ref counted) - countedBefore;
        output.WriteLine($"{probes} probes in {elapsed.TotalMilliseconds:0} ms; runs: counted {countedRuns}, {runs}");
        // Runs start at least a cache duration apart; the metric counts a run when it ends, so one begun before the window may add one.
        Assert.InRange(countedRuns, 2, intervals + 1);
        Assert.InRange(runs.Of("license-database"), 2, intervals + 2);
        Assert.InRange(runs.Of("PostgreSql"), 2, intervals + 2);
    }

    [Fact]
    public async Task ADatabaseThatStopsTurnsHealthNotServingAndServingAgainWhenItReturns()
    {
        var server = await PostgresServer.StartPrivateAsync();
        try
        {
            await using var host = new LicenseServerHost(PostgresSettings(await server.CreateDatabaseAsync("health")));
            var health = new Health.HealthClient(host.Channel);
            Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);

            server.StopServer();
            var down = await WaitForAsync(health, ServingStatus.NotServing);
            await server.StartServerAsync();
            var up = await WaitForAsync(health, ServingStatus.Serving);

            output.WriteLine($"NOT_SERVING {down.TotalMilliseconds:0} ms after the server stopped, SERVING {up.TotalMilliseconds:0} ms after it accepted connections again.");
        }
        finally
        {
            server.Stop();
        }
    }

    private static Dictionary<string, string?> PostgresSettings(string connectionString) => new()
    {
        ["Storage:Provider"] = "Postgres",
        ["ConnectionStrings:licensing"] = connectionString,
        ["Health:CacheDuration"] = CacheDuration.ToString(),
    };

    /// <summary>How long until Health/Check answers <paramref name="expected"/>; every probe must answer within its deadline.</summary>
    private static async Task<TimeSpan> WaitForAsync(Health.HealthClient health, ServingStatus expected)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            // The check timeout (2 s) bounds every answer, whatever the database does.
            var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            if (reply.Status == expected)
            {
                return stopwatch.Elapsed;
            }

            Assert.True(stopwatch.Elapsed < Patience, $"Health/Check still answers {reply.Status} after {stopwatch.Elapsed.TotalSeconds:0.0} s; expected {expected}.");
            await Task.Delay(50);
        }
    }
}
