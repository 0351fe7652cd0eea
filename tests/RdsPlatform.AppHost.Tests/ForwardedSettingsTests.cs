using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost.Tests;

/// <summary>
/// A service's own settings given to the AppHost reach that service and no other, and never displace what the AppHost
/// sets itself (read from the built model, as the AppHost would hand them to each process).
/// </summary>
public sealed class ForwardedSettingsTests
{
    [Fact]
    public async Task EachServicesOwnSettingsReachItAndNoOtherService()
    {
        var environment = await EnvironmentAsync(
            "--Gateway:SessionCacheCapacity=10000", "--Alerts:GraceDaysThreshold=30", "--Reporting:InsertBatchSize=1000",
            "--Webhooks:MaxAttempts=4", "--Manager:CallDeadline=00:00:20", "--Health:CacheDuration=00:00:02");

        Assert.Equal("10000", environment[ResourceNames.SessionHost]["Gateway__SessionCacheCapacity"]);
        Assert.Equal("30", environment[ResourceNames.SessionHost]["Alerts__GraceDaysThreshold"]);
        Assert.Equal("1000", environment[ResourceNames.Reporting]["Reporting__InsertBatchSize"]);
        Assert.Equal("4", environment[ResourceNames.LicenseServer]["Webhooks__MaxAttempts"]);
        Assert.Equal("00:00:20", environment[ResourceNames.Manager]["Manager__CallDeadline"]);
        foreach (var service in new[] { ResourceNames.LicenseServer, ResourceNames.SessionHost, ResourceNames.Reporting })
        {
            Assert.Equal("00:00:02", environment[service]["Health__CacheDuration"]);
        }

        Assert.DoesNotContain("Gateway__SessionCacheCapacity", environment[ResourceNames.LicenseServer].Keys);
        Assert.DoesNotContain("Reporting__InsertBatchSize", environment[ResourceNames.SessionHost].Keys);
        Assert.DoesNotContain("Webhooks__MaxAttempts", environment[ResourceNames.Reporting].Keys);
    }

    [Fact]
    public async Task WhatTheAppHostSetsItselfWinsAndKeysAreNeverForwarded()
    {
        var environment = await EnvironmentAsync(
            "--Gateway:LicenseServerApiKey=typed-in", "--LicenseServer:Scope=workgroup", "--Auth:Keys:mine:Key=typed-in",
            "--Auth:FailureLimit=20");

        Assert.NotEqual("typed-in", environment[ResourceNames.SessionHost]["Gateway__LicenseServerApiKey"]);
        // The checked, canonical value, not the raw one.
        Assert.Equal("Workgroup", environment[ResourceNames.LicenseServer]["LicenseServer__Scope"]);
        Assert.All(environment.Values, variables => Assert.DoesNotContain("Auth__Keys__mine__Key", variables.Keys));
        Assert.Equal("20", environment[ResourceNames.SessionHost]["Auth__FailureLimit"]);
    }

    /// <summary>Each project's environment variables in the AppHost's model built with <paramref name="arguments"/> (nothing starts).</summary>
    private static async Task<Dictionary<string, Dictionary<string, string>>> EnvironmentAsync(params string[] arguments)
    {
        var builder = await AppHostTopology.CreateBuilderAsync([.. arguments, "--Cache:Mode=garnet"]);
        await using var app = await builder.BuildAsync();
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var environment = new Dictionary<string, Dictionary<string, string>>();
        foreach (var project in model.Resources.OfType<ProjectResource>())
        {
            // Publish mode: a reference (a key parameter, an endpoint) reads as its expression, so nothing has to be allocated.
            var configuration = await ExecutionConfigurationBuilder.Create(project).WithEnvironmentVariablesConfig()
                .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), NullLogger.Instance, CancellationToken.None);
            environment[project.Name] = configuration.EnvironmentVariables.ToDictionary(variable => variable.Key, variable => variable.Value);
        }

        return environment;
    }
}
