namespace RdsPlatform.Testing;

/// <summary>
/// The one way tests start services (eShop's OrderingApiFixture, for several services): each service through its own
/// Program in Development with the test keys, on its own data folder under one temp root, all on one clock when the farm
/// has one, in memory or on real Kestrel sockets. Services reach each other by name through <see cref="RouteByName"/>.
/// Disposing stops them, last started first, and removes the root.
/// </summary>
public sealed class ServiceFarm(string purpose = "rds-tests", bool onKestrel = false) : IAsyncDisposable
{
    private readonly List<IServiceHost> _hosts = [];

    /// <summary>The temp folder every service's data folder is under.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), purpose, Guid.NewGuid().ToString("N"));

    /// <summary>The clock of every service started after it is set, unless a service's setup names its own.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Settings every service started after they are set gets (before its own).</summary>
    public Dictionary<string, string?> CommonSettings { get; } = [];

    /// <summary>When true, calls routed by name (<see cref="RouteByName"/>) fail at once, as a network outage would.</summary>
    public bool RoutesDown { get; set; }

    /// <summary>Where a name no service has is routed; unreachable when null.</summary>
    public string? FallbackRoute { get; set; }

    public string Folder(string name) => Path.Combine(Root, name);

    /// <summary>Starts a service named <paramref name="name"/> (its data folder's name too, unless the setup names one).</summary>
    public ServiceHost<TEntryPoint> Start<TEntryPoint>(string name, Action<ServiceSetup>? configure = null) where TEntryPoint : class
    {
        var setup = new ServiceSetup { Time = Time };
        configure?.Invoke(setup);
        var host = new ServiceHost<TEntryPoint>(name, setup.DataDirectory ?? Folder(name), setup, new Dictionary<string, string?>(CommonSettings), onKestrel);
        lock (_hosts)
        {
            _hosts.Add(host);
        }

        return host;
    }

    /// <summary>The running service of that name, if any (the one started last).</summary>
    public IServiceHost? Find(string name)
    {
        lock (_hosts)
        {
            return _hosts.LastOrDefault(h => h.Name == name);
        }
    }

    /// <summary>Stops a service and forgets it (its data folder stays, for a later one on the same folder).</summary>
    public async Task StopAsync(IServiceHost host)
    {
        lock (_hosts)
        {
            _hosts.Remove(host);
        }

        await host.DisposeAsync();
    }

    /// <summary>
    /// An HTTP handler that sends each request to the farm's service named by the request's host (http://license-server/...),
    /// else to <see cref="FallbackRoute"/>, else fails as an unknown host does; every call fails while <see cref="RoutesDown"/>.
    /// </summary>
    public HttpMessageHandler RouteByName() => new NameRouter(this);

    public async ValueTask DisposeAsync()
    {
        List<IServiceHost> hosts;
        lock (_hosts)
        {
            hosts = [.. _hosts];
            _hosts.Clear();
        }

        foreach (var host in Enumerable.Reverse(hosts))
        {
            await host.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // SQLite may still hold a pooled handle for a moment; the folder is in the temp area.
        }
    }

    private sealed class NameRouter(ServiceFarm farm) : HttpMessageHandler
    {
        // One invoker per running host: a restarted host has a new service provider (and a new test server).
        private readonly Dictionary<IServiceProvider, HttpMessageInvoker> _invokers = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var name = request.RequestUri?.Host ?? "";
            if (farm.RoutesDown)
            {
                throw new HttpRequestException($"Connection refused (simulated outage of {name}).");
            }

            var host = farm.Find(name) ?? (farm.FallbackRoute is { } fallback ? farm.Find(fallback) : null)
                ?? throw new HttpRequestException($"No such host is known ({name}).");
            HttpMessageInvoker invoker;
            lock (_invokers)
            {
                if (!_invokers.TryGetValue(host.Services, out invoker!))
                {
                    invoker = new HttpMessageInvoker(host.CreateHandler());
                    _invokers[host.Services] = invoker;
                }
            }

            request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = host.Address.Scheme, Host = host.Address.Host, Port = host.Address.Port }.Uri;
            return invoker.SendAsync(request, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                foreach (var invoker in _invokers.Values)
                {
                    invoker.Dispose();
                }
            }

            base.Dispose(disposing);
        }
    }
}
