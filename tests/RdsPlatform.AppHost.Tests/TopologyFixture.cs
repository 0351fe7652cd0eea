using Aspire.Hosting;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Core.Interceptors;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost.Tests;

/// <summary>
/// One running topology per test collection (starting it costs several seconds): the real AppHost with the
/// embedded Garnet cache, simulated time, and its data in a fresh folder. The license server has the AppHost's
/// defaults (2025, domain scope).
/// </summary>
public class TopologyFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly Dictionary<string, GrpcChannel> _channels = [];

    public string DataRoot { get; } = Path.Combine(Path.GetTempPath(), "rds-apphost-tests-" + Guid.NewGuid().ToString("N"));

    public DistributedApplication App { get; private set; } = null!;

    public static readonly string[] Services = [ResourceNames.LicenseServer, ResourceNames.SessionHost, ResourceNames.Reporting];

    /// <summary>The AppHost's secret key parameters, given fixed test values (the well-known test keys).</summary>
    public static readonly IReadOnlyDictionary<string, string> Keys = new Dictionary<string, string>
    {
        ["admin-api-key"] = TestKeys.Admin,
        ["session-host-api-key"] = TestKeys.SessionHost,
        ["client-api-key"] = TestKeys.Client,
        ["reporter-api-key"] = TestKeys.Reporter,
        ["gateway-api-key"] = TestKeys.Gateway,
        ["reporting-api-key"] = TestKeys.ReportingService,
    };

    /// <summary>More AppHost settings (command-line style) of a topology that differs from the default one.</summary>
    protected virtual IEnumerable<string> Arguments => [];

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.RdsPlatform_AppHost>(
        [
            $"--RdsPlatform:DataRoot={DataRoot}",
            "--RdsPlatform:ClockMode=Simulated",
            "--Cache:Mode=garnet",
            .. Keys.Select(k => $"--Parameters:{k.Key}={k.Value}"),
            .. Arguments,
        ]);
        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        foreach (var name in Services.Prepend(ResourceNames.CacheServer))
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
        }
    }

    /// <summary>A gRPC channel to a service's endpoint, as a client outside the AppHost would open it.</summary>
    public GrpcChannel Channel(string resource)
    {
        lock (_channels)
        {
            if (!_channels.TryGetValue(resource, out var channel))
            {
                channel = GrpcChannel.ForAddress(App.GetEndpoint(resource, "http"));
                _channels[resource] = channel;
            }

            return channel;
        }
    }

    /// <summary>A call invoker to a service that sends the given API key on every call.</summary>
    public CallInvoker Invoker(string resource, string key) => Channel(resource).Intercept(headers =>
    {
        headers.Add("authorization", $"Bearer {key}");
        return headers;
    });

    public async Task DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataRoot, recursive: true);
        }
        catch (IOException)
        {
            // A service may still hold a file for a moment after stopping; the folder is in the temp area.
        }
    }
}

/// <summary>
/// A second topology, started from the AppHost's license server settings: a Windows Server 2019 license server of a
/// workgroup. Shared by every test that needs it, since a topology costs seconds to start and stop.
/// </summary>
public sealed class WorkgroupTopologyFixture : TopologyFixture
{
    public const string Version = "2019";
    public const string Scope = "Workgroup";

    protected override IEnumerable<string> Arguments =>
        [$"--LicenseServer:Version={Version}", $"--LicenseServer:Scope={Scope}", "--LicenseServer:Domain=FABRIKAM"];
}

// Both topologies belong to one collection so that they start one after the other and their tests never run at the same time.
[CollectionDefinition(Name)]
public sealed class TopologyCollection : ICollectionFixture<TopologyFixture>, ICollectionFixture<WorkgroupTopologyFixture>
{
    public const string Name = "topology";
}

/// <summary>
/// Fixed values for the AppHost's secret key parameters. The AppHost suite references the AppHost, whose linked
/// ResourceNames would clash with RdsPlatform.Testing's, so it keeps its own.
/// </summary>
public static class TestKeys
{
    public const string Admin = "apphost-test-admin-key";
    public const string SessionHost = "apphost-test-session-host-key";
    public const string Client = "apphost-test-client-key";
    public const string Reporter = "apphost-test-reporter-key";
    public const string Gateway = "apphost-test-gateway-key";
    public const string ReportingService = "apphost-test-reporting-key";
}
