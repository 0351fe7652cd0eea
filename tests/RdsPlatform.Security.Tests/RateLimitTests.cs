using Grpc.Core;
using Microsoft.Extensions.Options;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.ServiceDefaults.Security;
using RdsPlatform.Testing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.Security.Tests;

/// <summary>Failed authentication is limited per remote address; authenticated calls from the same address go on.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task AfterTooManyFailuresFurtherUnauthenticatedCallsGetResourceExhaustedWhileAValidKeyStillWorks()
    {
        await using var platform = new Platform(allServiceSettings: new Dictionary<string, string?>
        {
            ["Auth:FailureLimit"] = "3",
            ["Auth:FailureWindow"] = "00:00:01.500",
        });
        var stranger = new LicenseServerClient(platform.LicenseServer("wrong-key"));
        var admin = platform.LicenseServerAs(TestKeys.Admin);

        var failures = new List<StatusCode>();
        for (var i = 0; i < 3; i++)
        {
            failures.Add((await Requests.RefusedAsync(() => stranger.GetServerInfoAsync(new GetServerInfoRequest()))).StatusCode);
        }

        var limited = await Requests.RefusedAsync(() => stranger.GetServerInfoAsync(new GetServerInfoRequest()));
        var stillServed = await admin.GetServerInfoAsync(new GetServerInfoRequest());
        var noKeyFromTheSameAddress = await Requests.RefusedAsync(() => new LicenseServerClient(platform.LicenseServer(null)).GetServerInfoAsync(new GetServerInfoRequest()));
        // The limiter reads the service clock, the platform's fake one: moved past the window instead of waiting.
        platform.Time.Advance(TimeSpan.FromSeconds(2));
        var afterWindow = await Requests.RefusedAsync(() => stranger.GetServerInfoAsync(new GetServerInfoRequest()));

        Assert.All(failures, code => Assert.Equal(StatusCode.Unauthenticated, code));
        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);
        Assert.Contains("wait 2 seconds", limited.Status.Detail);
        Assert.NotEmpty(stillServed.Server.ServerId);
        Assert.Equal(StatusCode.ResourceExhausted, noKeyFromTheSameAddress.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, afterWindow.StatusCode);
    }

    [Fact]
    public async Task EachServiceCountsItsOwnFailures()
    {
        await using var platform = new Platform(allServiceSettings: new Dictionary<string, string?> { ["Auth:FailureLimit"] = "2" });
        var licenseServer = new LicenseServerClient(platform.LicenseServer("wrong-key"));
        for (var i = 0; i < 3; i++)
        {
            await Requests.RefusedAsync(() => licenseServer.GetServerInfoAsync(new GetServerInfoRequest()));
        }

        var gateway = await Requests.RefusedAsync(() => platform.GatewayAs("wrong-key").GetGracePeriodAsync(new Contracts.SessionHost.V1.GetGracePeriodRequest { HostId = "h" }));

        Assert.Equal(StatusCode.Unauthenticated, gateway.StatusCode);
    }

    [Fact]
    public void TheLimiterTracksABoundedNumberOfAddresses()
    {
        var limiter = new AuthFailureLimiter(Options.Create(new AuthOptions { FailureLimit = 5, MaxTrackedAddresses = 100 }));

        for (var i = 0; i < 10_000; i++)
        {
            limiter.RecordFailure($"10.0.{i / 256}.{i % 256}");
        }

        Assert.True(limiter.TrackedAddresses <= 101, $"{limiter.TrackedAddresses} addresses are tracked.");
        Assert.NotNull(limiter.RecordFailure("10.200.0.1"));
    }

    [Fact]
    public void FailuresUnderTheLimitAreNotRefused()
    {
        var limiter = new AuthFailureLimiter(Options.Create(new AuthOptions { FailureLimit = 10 }));

        var waits = Enumerable.Range(0, 10).Select(_ => limiter.RecordFailure("192.0.2.1")).ToList();
        var eleventh = limiter.RecordFailure("192.0.2.1");
        var otherAddress = limiter.RecordFailure("192.0.2.2");

        Assert.All(waits, w => Assert.Null(w));
        Assert.NotNull(eleventh);
        Assert.Null(otherAddress);
    }
}
