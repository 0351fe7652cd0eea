using Microsoft.Extensions.DependencyInjection;
using System.Net.Sockets;
using System.Text;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RdsPlatform.AppHost;

public static class HealthCheckExtensions
{
    /// <summary>
    /// Healthy when the service's gRPC health service answers SERVING. The services speak HTTP/2 only
    /// (cleartext gRPC), so an HTTP/1.1 /health probe would never answer.
    /// </summary>
    public static IResourceBuilder<T> WithGrpcHealthCheck<T>(this IResourceBuilder<T> builder, string endpointName = "http")
        where T : IResourceWithEndpoints
    {
        var endpoint = builder.GetEndpoint(endpointName);
        var key = $"{builder.Resource.Name}-grpc-health";
        builder.ApplicationBuilder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(key, _ => new GrpcHealthCheck(endpoint), failureStatus: null, tags: null));
        return builder.WithHealthCheck(key);
    }

    /// <summary>Healthy when the endpoint answers a RESP PING with PONG.</summary>
    public static IResourceBuilder<T> WithRespHealthCheck<T>(this IResourceBuilder<T> builder, string endpointName)
        where T : IResourceWithEndpoints
    {
        var endpoint = builder.GetEndpoint(endpointName);
        var key = $"{builder.Resource.Name}-resp-ping";
        builder.ApplicationBuilder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(key, _ => new RespPingHealthCheck(endpoint), failureStatus: null, tags: null));
        return builder.WithHealthCheck(key);
    }

    private sealed class GrpcHealthCheck(EndpointReference endpoint) : IHealthCheck, IDisposable
    {
        private GrpcChannel? _channel;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                _channel ??= GrpcChannel.ForAddress(endpoint.Url);
                var reply = await new Health.HealthClient(_channel).CheckAsync(
                    new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(3), cancellationToken: cancellationToken);
                return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"gRPC health is {reply.Status}");
            }
            catch (Exception ex) when (ex is Grpc.Core.RpcException or InvalidOperationException or HttpRequestException)
            {
                return HealthCheckResult.Unhealthy("gRPC health did not answer", ex);
            }
        }

        public void Dispose() => _channel?.Dispose();
    }

    private sealed class RespPingHealthCheck(EndpointReference endpoint) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                using var client = new TcpClient();
                await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer, timeout.Token);
                return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("The cache did not answer PING with PONG.");
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy("The cache is not reachable.", ex);
            }
        }
    }
}
