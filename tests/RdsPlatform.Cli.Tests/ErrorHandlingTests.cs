using RdsPlatform.Testing;
using System.Net;

namespace RdsPlatform.Cli.Tests;

public sealed class ErrorHandlingTests
{
    [Fact]
    public async Task AnUnreachableServiceExitsThreeNamingItsAddressAndHowToChangeIt()
    {
        await using var farm = new CliFarm();
        var port = RdsPlatform.Testing.GarnetFixture.FreeTcpPort();

        var result = await farm.RunAsync("keypack", "list", "--license-server", $"http://127.0.0.1:{port}");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith($"error: Unavailable: could not reach the license server at http://127.0.0.1:{port}/", result.Error);
        Assert.Contains("--license-server or RDSLIC_LICENSE_SERVER", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task AServiceThatDoesNotAnswerInTimeExitsThree()
    {
        await using var farm = new CliFarm();
        farm.WrapHandler = inner => new Stalling(inner);

        var result = await farm.RunAsync("compliance", "--timeout", "0.2");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith($"error: DeadlineExceeded: the reporting service at {CliFarm.ReportingAddress}/ did not answer", result.Error);
        Assert.Contains("--timeout", result.Error);
    }

    [Fact]
    public async Task TheApiKeyIsSentAsABearerTokenOnEveryCallAndTheOptionOverridesTheEnvironment()
    {
        await using var farm = new CliFarm();
        var seen = new List<string?>();
        farm.WrapHandler = inner => new Recording(inner, seen);

        await farm.RunOkAsync("server", "status");
        await farm.RunOkAsync("compliance", "--api-key", TestKeys.Reporter);

        Assert.Equal([$"Bearer {TestKeys.Admin}", $"Bearer {TestKeys.Reporter}"], seen);
    }

    [Fact]
    public async Task WithoutAnApiKeyTheServiceRefusesAndRdslicSaysHowToPassOne()
    {
        await using var farm = new CliFarm();
        farm.Environment.Remove("RDSLIC_API_KEY");
        var seen = new List<string?>();
        farm.WrapHandler = inner => new Recording(inner, seen);

        var result = await farm.RunAsync("server", "status");

        Assert.Equal([null], seen);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: Unauthenticated: ", result.Error);
        Assert.Contains("Pass an API key with --api-key or RDSLIC_API_KEY.", result.Error);
    }

    [Fact]
    public async Task AKeyOfTheWrongRoleIsPermissionDenied()
    {
        await using var farm = new CliFarm();

        var result = await farm.RunAsync("keypack", "install", "--code", CliFarm.NewRetailCode(), "--version", "2022", "--type", "per-device",
            "--count", "5", "--api-key", TestKeys.Client);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: PermissionDenied: ", result.Error);
    }

    [Fact]
    public async Task EnvironmentAddressesAreUsedAndOptionsOverrideThem()
    {
        await using var farm = new CliFarm();
        farm.Environment["RDSLIC_LICENSE_SERVER"] = "http://127.0.0.1:1";

        var fromEnvironment = await farm.RunAsync("server", "status");
        var fromOption = await farm.RunAsync("server", "status", "--license-server", CliFarm.LicenseServerAddress);

        Assert.Equal(3, fromEnvironment.ExitCode);
        Assert.Contains("http://127.0.0.1:1/", fromEnvironment.Error);
        Assert.Equal(0, fromOption.ExitCode);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("server")]
    [InlineData("server", "status", "--no-such-option")]
    [InlineData("server", "status", "--license-server", "not-a-url")]
    [InlineData("server", "status", "--timeout", "soon")]
    [InlineData("keypack", "remove", "KP-1", "--count", "many")]
    public async Task CommandLineMistakesExitTwo(params string[] args)
    {
        await using var farm = new CliFarm();

        var result = await farm.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
    }

    [Fact]
    public async Task HelpListsEveryCommandGroupAndExitsZero()
    {
        await using var farm = new CliFarm();

        var result = await farm.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "server", "keypack", "license", "host", "report", "compliance", "audit", "clock" })
        {
            Assert.Contains(command, result.Out);
        }
    }

    private sealed class Stalling(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    private sealed class Recording(HttpMessageHandler inner, List<string?> seen) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (seen)
            {
                seen.Add(request.Headers.Authorization?.ToString());
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
