extern alias apphost;

using Aspire.Hosting;
using Grpc.Core;
using Grpc.Net.Client;
using RdsPlatform.ServiceDefaults;
using Xunit;

namespace RdsPlatform.Testing;

/// <summary>
/// One running topology per test collection (starting it costs several seconds): the real AppHost with the embedded
/// Garnet cache, simulated time, the well-known <see cref="TestKeys"/> as its secret key parameters, and its data in a
/// fresh folder. (Linked into the AppHost and manager suites: it needs the AppHost, which the shared RdsPlatform.Testing
/// project must not reference; both suites alias the AppHost as <c>apphost</c>, since its linked copy of ResourceNames
/// would clash with ServiceDefaults'.)
/// </summary>
public class AppHostTopology : IAsyncLifetime
{
    private readonly Dictionary<string, GrpcChannel> _channels = [];

    /// <summary>The AppHost's secret key parameters, given the well-known test keys.</summary>
    public static readonly IReadOnlyDictionary<string, string> Keys = new Dictionary<string, string>
    {
        ["admin-api-key"] = TestKeys.Admin,
        ["session-host-api-key"] = TestKeys.SessionHost,
        ["client-api-key"] = TestKeys.Client,
        ["reporter-api-key"] = TestKeys.Reporter,
        ["gateway-api-key"] = TestKeys.Gateway,
        ["reporting-api-key"] = TestKeys.ReportingService,
    };

    public string DataRoot { get; } = Path.Combine(Path.GetTempPath(), "rds-topology-tests-" + Guid.NewGuid().ToString("N"));

    public DistributedApplication App { get; private set; } = null!;

    protected virtual TimeSpan StartTimeout => TimeSpan.FromMinutes(3);

    /// <summary>More AppHost settings (command-line style) of a topology that differs from the default one.</summary>
    protected virtual IEnumerable<string> Arguments => [];

    /// <summary>The resources that must be healthy before a test runs.</summary>
    protected virtual IEnumerable<string> Resources => [ResourceNames.LicenseServer, ResourceNames.SessionHost, ResourceNames.Reporting];

    /// <summary>A testing builder of the real AppHost with these arguments.</summary>
    public static Task<IDistributedApplicationTestingBuilder> CreateBuilderAsync(string[] arguments) =>
        DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.RdsPlatform_AppHost>(arguments);

    public virtual async Task InitializeAsync()
    {
        var builder = await CreateBuilderAsync(
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
        foreach (var name in Resources)
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
    public CallInvoker Invoker(string resource, string key) => Channel(resource).WithBearer(key);

    public virtual async Task DisposeAsync()
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
