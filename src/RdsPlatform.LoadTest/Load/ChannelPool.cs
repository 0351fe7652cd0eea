using System.Net;
using Grpc.Core;
using Grpc.Net.Client;

namespace RdsPlatform.LoadTest.Load;

/// <summary>
/// A few HTTP/2 connections shared by all workers: one connection serves about 100 concurrent streams, so the pool
/// spreads workers over several channels, each allowed to open more connections when its streams run out.
/// </summary>
public sealed class ChannelPool : IDisposable
{
    private readonly GrpcChannel[] _channels;

    public ChannelPool(Uri address, int connections, string? apiKey, HttpMessageHandler? handler = null)
    {
        if (connections < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(connections), "At least one connection is needed.");
        }

        Address = address;
        Headers = ApiKeyHeaders(apiKey);
        _channels = new GrpcChannel[handler is null ? connections : 1];
        for (var i = 0; i < _channels.Length; i++)
        {
            _channels[i] = GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = handler ?? new SocketsHttpHandler
                {
                    EnableMultipleHttp2Connections = true,
                    PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                    KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                    KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
                    AutomaticDecompression = DecompressionMethods.None,
                    UseProxy = false,
                },
                // A test's in-memory handler belongs to its server; real handlers belong to the pool.
                DisposeHttpClient = handler is null,
                MaxReceiveMessageSize = 16 * 1024 * 1024,
            });
        }
    }

    public Uri Address { get; }

    /// <summary>The <c>authorization: Bearer</c> header every call carries when an API key is given; null otherwise.</summary>
    public Metadata? Headers { get; }

    public int Count => _channels.Length;

    public GrpcChannel this[int index] => _channels[index % _channels.Length];

    public static Metadata? ApiKeyHeaders(string? apiKey) =>
        string.IsNullOrWhiteSpace(apiKey) ? null : new Metadata { { "authorization", $"Bearer {apiKey.Trim()}" } };

    /// <summary><c>127.0.0.1:5102</c> as ghz writes hosts, or a full http(s) address.</summary>
    public static Uri ParseAddress(string host)
    {
        var text = host.Contains("://", StringComparison.Ordinal) ? host : "http://" + host;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new Cli.UsageException($"'{host}' is not a service address; give host:port (for example 127.0.0.1:5102) or http://host:port.");
    }

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }
}
