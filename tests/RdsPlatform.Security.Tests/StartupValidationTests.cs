using RdsPlatform.Reporting.Grpc;
using RdsPlatform.SessionHost.Grpc;
using RdsPlatform.Testing;
using LicenseServerService = RdsPlatform.LicenseServer.Grpc.LicenseServerService;

namespace RdsPlatform.Security.Tests;

/// <summary>A setting out of its range stops a service at start with a sentence naming the setting, instead of being clamped where it is used.</summary>
public sealed class StartupValidationTests : IAsyncLifetime
{
    private readonly ServiceFarm _services = new("rds-startup-validation-tests");

    [Theory]
    [InlineData("Auth:FailureLimit", "0", "Auth:FailureLimit must be at least 1.")]
    [InlineData("Auth:FailureWindow", "00:00:00", "Auth:FailureWindow must be between 1 millisecond and 1 day")]
    [InlineData("Auth:MaxTrackedAddresses", "0", "Auth:MaxTrackedAddresses must be between 1 and 10,000,000.")]
    [InlineData("Rpc:MaxStreamDuration", "-00:00:01", "Rpc:MaxStreamDuration must be a duration from 1 ms to 1 day")]
    [InlineData("Clock:SyncInterval", "00:00:00", "Clock:SyncInterval must be a duration from 1 ms to 1 minute")]
    [InlineData("LicenseServer:AuditFollowPollInterval", "00:00:00", "LicenseServer:AuditFollowPollInterval must be positive.")]
    [InlineData("Webhooks:QueueCapacity", "0", "Webhooks:QueueCapacity and Webhooks:MaxConcurrentDeliveries must be positive.")]
    public void TheLicenseServerDoesNotStartWithASettingOutOfRange(string setting, string value, string message) =>
        AssertNames(message, StartFailure<LicenseServerService>(setting, value));

    [Theory]
    [InlineData("Gateway:TokenCacheCapacity", "2", "Gateway:TokenCacheCapacity must be at least 3")]
    [InlineData("Gateway:SessionCacheCapacity", "0", "Gateway:SessionCacheCapacity must be at least 3")]
    [InlineData("Gateway:IssuedCertificateSpotCheck", "0", "Gateway:IssuedCertificateSpotCheck must be at least 1")]
    [InlineData("Gateway:LicenseServerTimeout", "00:00:00", "Gateway:LicenseServerTimeout must be a duration from 1 ms to 1 day")]
    [InlineData("Gateway:SessionEndedCheckInterval", "00:02:00", "Gateway:SessionEndedCheckInterval must be a duration from 0 (check on every SignIn) to 1 minute")]
    [InlineData("Auth:FailureLimit", "-1", "Auth:FailureLimit must be at least 1.")]
    public void TheGatewayDoesNotStartWithASettingOutOfRange(string setting, string value, string message) =>
        AssertNames(message, StartFailure<SessionHostGatewayService>(setting, value));

    [Theory]
    [InlineData("Reporting:InsertBatchSize", "0", "Reporting:InsertBatchSize must be from 1 to 1,000,000.")]
    [InlineData("Reporting:ComplianceCacheSeconds", "-1", "Reporting:ComplianceCacheSeconds must be from 0 (no cache) to 86400.")]
    [InlineData("Reporting:CallDeadline", "00:00:00", "Reporting:CallDeadline must be a duration from 1 ms to 1 day")]
    [InlineData("Ports:Management", "70000", "Ports:Management must be a TCP port from 1 to 65535.")]
    public void ReportingDoesNotStartWithASettingOutOfRange(string setting, string value, string message) =>
        AssertNames(message, StartFailure<ReportingService>(setting, value));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _services.DisposeAsync();

    // The whole exception in the failure message: Assert.Contains cuts it to a few words, which hid what a rare start-up
    // failure under load threw instead of the setting's sentence.
    private static void AssertNames(string message, string failure) =>
        Assert.True(failure.Contains(message, StringComparison.Ordinal), $"Expected the start-up failure to say \"{message}\"; it was:\n{failure}");

    /// <summary>The exception (with its inner ones) that starting the service with one bad setting throws.</summary>
    /// <remarks>
    /// WebApplicationFactory races the entry point when the host fails to start: now and then it asks the host's
    /// already-disposed service provider for a service and throws that instead (dotnet/aspnetcore#33494, #40271). Only
    /// that exception, thrown from the factory itself, is tried again; any other is the service's answer.
    /// </remarks>
    private string StartFailure<TEntry>(string setting, string value)
        where TEntry : class
    {
        for (var attempt = 1; ; attempt++)
        {
            var error = Record.Exception(() => _services.Start<TEntry>("service", setup => setup.Set(setting, value)));
            Assert.NotNull(error);
            if (attempt == 3 || !IsFactoryRace(error))
            {
                return error.ToString();
            }
        }
    }

    private static bool IsFactoryRace(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is ObjectDisposedException { ObjectName: "IServiceProvider" } &&
                error.StackTrace?.Contains("WebApplicationFactory", StringComparison.Ordinal) == true)
            {
                return true;
            }
        }

        return false;
    }
}
