using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace RdsPlatform.Testing;

/// <summary>
/// Services started on real loopback sockets (<see cref="KestrelHosting.StartOnKestrel{T}"/>) in Development with the test
/// keys, each with its SQLite folder under one temp root; disposing stops them, last started first, and removes the root.
/// </summary>
public sealed class KestrelServices : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rds-kestrel-tests", Guid.NewGuid().ToString("N"));
    private readonly List<IAsyncDisposable> _hosts = [];

    public ServiceAddresses Start<T>(string name, Action<IWebHostBuilder>? configure = null) where T : class
    {
        var (host, addresses) = new WebApplicationFactory<T>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.UseTestKeys();
            web.UseSetting("Storage:DataDirectory", Path.Combine(_root, name));
            configure?.Invoke(web);
        }).StartOnKestrel();
        _hosts.Add(host);
        return addresses;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold a pooled handle for a moment; the folder is in the temp area.
        }
    }
}
