using Grpc.Core;
using Microsoft.AspNetCore.TestHost;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.LoadTest.Cli;
using RdsPlatform.LoadTest.Load;
using RdsPlatform.LoadTest.Summary;
using RdsPlatform.Testing;

namespace RdsPlatform.LoadTest.Tests;

public sealed class HealthScenarioTests : IAsyncLifetime
{
    private readonly ServiceFarm _services = new("rds-load-tests");
    private readonly TestServer _server;

    public HealthScenarioTests() =>
        _server = _services.Start<LicenseServerService>("license-server", setup =>
        {
            setup.UseTestKeys = false;
            setup.SimulatedClock = true;
        }).Server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task AFixedCountOfHealthChecksIsMadeExactlyOnceEach()
    {
        using var pool = new ChannelPool(_server.BaseAddress, 1, apiKey: null, _server.CreateHandler());

        var result = await LoadRunner.RunAsync(new Scenarios.Health(), pool, new LoadSettings(8, 200, null, TimeSpan.FromSeconds(30)), 0, CancellationToken.None);
        var summary = LoadSummary.From("health", "grpc.health.v1.Health.Check", pool.Address.ToString(), 8, pool.Count, result);

        Assert.Equal(200, summary.Count);
        Assert.Equal(200, summary.StatusCodeDistribution["OK"]);
        Assert.Equal(0, summary.Errors);
        Assert.Equal(200, summary.OutcomeDistribution["Serving"]);
        Assert.Equal(200, result.Calls.Histogram.TotalCount);
        Assert.Equal(200, result.NextRequestNumber);
        Assert.True(summary.RequestsPerSecond > 0);
    }

    [Fact]
    public async Task CallsToAnUnknownServiceAreCountedAsErrorsByStatus()
    {
        using var pool = new ChannelPool(_server.BaseAddress, 1, apiKey: null, _server.CreateHandler());

        var result = await LoadRunner.RunAsync(new Scenarios.Health("rds.unknown.v1.Nothing"), pool, new LoadSettings(4, 20, null, TimeSpan.FromSeconds(30)), 0, CancellationToken.None);
        var summary = LoadSummary.From("health", "grpc.health.v1.Health.Check", pool.Address.ToString(), 4, pool.Count, result);

        Assert.Equal(20, summary.Count);
        Assert.Equal(20, summary.Errors);
        Assert.Equal(20, summary.StatusCodeDistribution[nameof(StatusCode.NotFound)]);
        Assert.False(summary.StatusCodeDistribution.ContainsKey("OK"));
    }

    [Fact]
    public async Task TheRunCommandPrintsAGhzSummaryForTheHealthScenario()
    {
        // The run command builds its own channels, so it is pointed at a port nothing listens on: every call fails fast and is counted.
        var output = new StringWriter();
        var errors = new StringWriter();

        var exit = await Commands.RunAsync(["run", "--scenario", "health", "--host", "127.0.0.1:9", "--total", "6", "--concurrency", "2", "--timeout", "2s"],
            output, errors, CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Contains("  Count:\t6", output.ToString());
        Assert.Contains("  [Unavailable]\t6 responses", output.ToString());
        Assert.Equal("", errors.ToString());
    }

    [Fact]
    public async Task AnApiKeyIsSentAsABearerToken()
    {
        using var pool = new ChannelPool(_server.BaseAddress, 1, apiKey: " secret-key ", _server.CreateHandler());

        Assert.Equal("Bearer secret-key", pool.Headers!.GetValue("authorization"));
        var result = await LoadRunner.RunAsync(new Scenarios.Health(), pool, new LoadSettings(2, 4, null, TimeSpan.FromSeconds(30)), 0, CancellationToken.None);
        Assert.Equal(4, result.Calls.StatusCodes[StatusCode.OK]);
    }

    [Fact]
    public async Task AnUnknownScenarioIsRefusedWithTheListOfScenarios()
    {
        var errors = new StringWriter();

        var exit = await Commands.RunAsync(["run", "--scenario", "connect-everything", "--host", "127.0.0.1:9"], new StringWriter(), errors, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains("Unknown scenario 'connect-everything'; choose one of health, connect-valid", errors.ToString());
    }
}
