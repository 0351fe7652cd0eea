using System.Diagnostics;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace RdsPlatform.Testing;

/// <summary>A storm of grpc.health.v1.Health/Check calls, as load balancers and benchmarks send them.</summary>
public static class HealthProbes
{
    /// <summary>
    /// Waves of <paramref name="concurrency"/> concurrent Health/Checks for at least <paramref name="duration"/>; every
    /// answer must be SERVING. Returns how many were made and how long the storm lasted.
    /// </summary>
    public static async Task<(int Probes, TimeSpan Elapsed)> StormAsync(GrpcChannel channel, TimeSpan duration, int concurrency = 50)
    {
        var health = new Health.HealthClient(channel);
        var stopwatch = Stopwatch.StartNew();
        var probes = 0;
        while (stopwatch.Elapsed < duration)
        {
            var replies = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => health.CheckAsync(new HealthCheckRequest()).ResponseAsync));
            var notServing = replies.Where(reply => reply.Status != HealthCheckResponse.Types.ServingStatus.Serving).ToList();
            if (notServing.Count > 0)
            {
                throw new InvalidOperationException($"{notServing.Count} of {replies.Length} probes answered {notServing[0].Status}, not SERVING.");
            }

            probes += replies.Length;
        }

        return (probes, stopwatch.Elapsed);
    }
}
