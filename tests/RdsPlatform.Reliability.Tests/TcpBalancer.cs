using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace RdsPlatform.Reliability.Tests;

/// <summary>
/// A layer-4 balancer in the test process, one address in front of license-server replicas as a DCP proxy or a cloud
/// load balancer is: each new TCP connection goes to the next replica in turn (the one after when that one refuses it),
/// and when either end of a forwarded connection closes, the other end is closed too.
/// </summary>
public sealed class TcpBalancer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IReadOnlyList<int> _targets;
    private readonly ConcurrentDictionary<int, int> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _next = -1;

    public TcpBalancer(IReadOnlyList<int> targetPorts)
    {
        _targets = targetPorts;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Forwarded connections now open to the replica on <paramref name="targetPort"/>.</summary>
    public int OpenTo(int targetPort) => _open.GetValueOrDefault(targetPort);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ForwardAsync(client);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        {
            var first = Interlocked.Increment(ref _next);
            for (var i = 0; i < _targets.Count; i++)
            {
                var target = _targets[(first + i) % _targets.Count];
                using var upstream = new TcpClient();
                try
                {
                    await upstream.ConnectAsync(IPAddress.Loopback, target, _stop.Token);
                }
                catch (SocketException)
                {
                    continue;
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                _open.AddOrUpdate(target, 1, (_, n) => n + 1);
                try
                {
                    await PipeAsync(client.GetStream(), upstream.GetStream());
                }
                finally
                {
                    _open.AddOrUpdate(target, 0, (_, n) => n - 1);
                }

                return;
            }
        }
    }

    /// <summary>Copies both ways until either side ends; the caller then closes both sockets, as a balancer does when a backend dies.</summary>
    private async Task PipeAsync(Stream down, Stream up)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        await Task.WhenAny(CopyAsync(down, up, done.Token), CopyAsync(up, down, done.Token));
        await done.CancelAsync();
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        try
        {
            await from.CopyToAsync(to, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // One side went away: the pipe ends.
        }
    }
}
