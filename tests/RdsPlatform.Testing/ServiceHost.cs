using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace RdsPlatform.Testing;

/// <summary>A service under test, whatever its entry point: how to reach it and its services.</summary>
public interface IServiceHost : IAsyncDisposable
{
    string Name { get; }

    string DataDirectory { get; }

    IServiceProvider Services { get; }

    /// <summary>The address of its gRPC endpoint (the test server's, or a real loopback port).</summary>
    Uri Address { get; }

    /// <summary>An HTTP handler that reaches it: the test server's in memory, a socket handler on Kestrel.</summary>
    HttpMessageHandler CreateHandler();

    /// <summary>One gRPC channel to it, owned by the host (disposed with it, replaced on restart).</summary>
    GrpcChannel Channel { get; }
}

/// <summary>
/// One service started through its own Program (<see cref="WebApplicationFactory{TEntryPoint}"/>) in Development, on its
/// own data folder, either on an in-memory test server or on real Kestrel sockets. <see cref="RestartAsync"/> starts a new
/// host on the same folder, as a process restart would.
/// </summary>
public sealed class ServiceHost<TEntryPoint> : IServiceHost where TEntryPoint : class
{
    private readonly ServiceSetup _setup;
    private readonly IReadOnlyDictionary<string, string?> _commonSettings;
    private readonly bool _onKestrel;
    private WebApplicationFactory<TEntryPoint> _factory;
    private GrpcChannel _channel;

    internal ServiceHost(string name, string dataDirectory, ServiceSetup setup, IReadOnlyDictionary<string, string?> commonSettings, bool onKestrel)
    {
        Name = name;
        DataDirectory = dataDirectory;
        _setup = setup;
        _commonSettings = commonSettings;
        _onKestrel = onKestrel;
        (_factory, _channel) = Start();
    }

    public string Name { get; }

    public string DataDirectory { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>The in-memory test server; only for a host that does not run on Kestrel.</summary>
    public TestServer Server => _onKestrel ? throw new InvalidOperationException($"{Name} runs on Kestrel: use Addresses.") : _factory.Server;

    /// <summary>The real ports of a host on Kestrel (gRPC, JSON API, management); null in memory.</summary>
    public ServiceAddresses? Addresses { get; private set; }

    public Uri Address => Addresses?.Grpc ?? _factory.Server.BaseAddress;

    public GrpcChannel Channel => _channel;

    public HttpMessageHandler CreateHandler() => _onKestrel ? new SocketsHttpHandler() : _factory.Server.CreateHandler();

    /// <summary>Calls that send, for each RPC of the given service implementations, the key of a role allowed to call it.</summary>
    public CallInvoker WithRoleKeys(params Type[] serviceTypes) => _channel.WithRoleKeys(serviceTypes);

    public async Task RestartAsync()
    {
        await StopAsync();
        (_factory, _channel) = Start();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StopAsync()
    {
        _channel.Dispose();
        await _factory.DisposeAsync();
    }

    private (WebApplicationFactory<TEntryPoint>, GrpcChannel) Start()
    {
        var factory = new WebApplicationFactory<TEntryPoint>().WithWebHostBuilder(Configure);
        if (!_onKestrel)
        {
            var server = factory.Server;
            return (factory, GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.CreateHandler() }));
        }

        var (started, addresses) = factory.StartOnKestrel();
        Addresses = addresses;
        return (started, GrpcChannel.ForAddress(addresses.Grpc));
    }

    private void Configure(IWebHostBuilder web)
    {
        web.UseEnvironment("Development");
        if (_setup.UseTestKeys)
        {
            web.UseTestKeys();
        }

        web.UseSetting("Storage:DataDirectory", DataDirectory);
        if (_setup.SimulatedClock)
        {
            web.UseSetting("Clock:Mode", "Simulated");
        }

        foreach (var (key, value) in _commonSettings.Concat(_setup.Settings))
        {
            web.UseSetting(key, value);
        }

        web.ConfigureTestServices(services =>
        {
            if (_setup.Time is { } time)
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton(time);
            }

            foreach (var substitute in _setup.TestServices)
            {
                substitute(services);
            }
        });
    }
}
