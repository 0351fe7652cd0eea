using System.Net;
using System.Net.Sockets;
using Garnet;
using StackExchange.Redis;
using Xunit;

namespace RdsPlatform.Testing;

/// <summary>
/// A real Redis-protocol server (Microsoft Garnet) on a free loopback port, in the test process, so tests need
/// nothing installed. <see cref="Stop"/> and <see cref="Start"/> simulate the cache going down and coming back
/// on the same port.
/// </summary>
public sealed class GarnetFixture : IAsyncLifetime, IDisposable, ISharedCache
{
    private GarnetServer? _server;

    public int Port { get; } = FreeTcpPort();

    /// <summary>A StackExchange.Redis connection string for services under test.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=1000";

    public bool IsRunning => _server is not null;

    public Task InitializeAsync()
    {
        Start();
        return Task.CompletedTask;
    }

    public void Start()
    {
        if (_server is not null)
        {
            return;
        }

        _server = new GarnetServer(["--port", Port.ToString(), "--bind", "127.0.0.1", "--index", "16m", "--memory", "128m", "--lua", "-q"]);
        _server.Start();
    }

    public void Stop()
    {
        _server?.Dispose();
        _server = null;
    }

    /// <summary>Removes every key, as FLUSHALL would.</summary>
    public Task FlushAsync() => CacheAdmin.FlushAllAsync(ConnectionString);

    public Task DisposeAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    public void Dispose() => Stop();

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
