using System.Net;
using System.Net.Sockets;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost;

/// <summary>
/// <c>Cache:Mode=redis-cluster</c>: a local 3-master Redis Cluster from the machine's <c>redis-server</c> (Debian's package,
/// which brings redis-cli), so the services can be tried on a cluster without one to hand. Three nodes, then a one-shot
/// <c>redis-cli --cluster create</c> that ends once every node reports <c>cluster_state:ok</c>; the services wait for it.
/// </summary>
public static class LocalRedisCluster
{
    public const int Masters = 3;
    private const int FirstClientPort = 7001;
    private const int BusPortOffset = 10000;

    public static RdsCache AddLocalRedisCluster(this IDistributedApplicationBuilder builder)
    {
        RequireOnPath("redis-server");
        RequireOnPath("redis-cli");
        // Ports fixed before launch and not proxied: a cluster tells clients where each slot lives by the address its
        // nodes announce, which must be the address clients reach (a DCP proxy's port would not be it).
        var ports = FreePorts(Masters * 2);
        var folder = NodeFolder(builder);
        var create = builder.AddExecutable(ResourceNames.Cache + "-cluster-create", "/bin/sh", folder, "-c", CreateScript(ports[..Masters]));
        for (var i = 0; i < Masters; i++)
        {
            var (port, busPort) = (ports[i], ports[Masters + i]);
            var node = builder.AddExecutable($"{ResourceNames.Cache}-node-{i + 1}", "redis-server", folder,
                    "--port", $"{port}", "--cluster-port", $"{busPort}", "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                    "--cluster-config-file", $"nodes-{port}.conf", "--cluster-node-timeout", "5000", "--save", "", "--appendonly", "no")
                .WithEndpoint(name: "tcp", scheme: "tcp", port: port, targetPort: port, isProxied: false)
                .WithRespHealthCheck("tcp");
            create.WaitFor(node);
        }

        var seeds = string.Join(',', ports[..Masters].Select(port => $"127.0.0.1:{port}"));
        var connection = builder.AddConnectionString(ResourceNames.Cache, ReferenceExpression.Create($"{seeds}"));
        return new RdsCache("redis-cluster", project => project.WithReference(connection).WaitForCompletion(create));
    }

    /// <summary>Forms the cluster, then waits (at most 60 s) until every node reports it usable.</summary>
    private static string CreateScript(int[] ports)
    {
        var nodes = string.Join(' ', ports.Select(port => $"127.0.0.1:{port}"));
        return $"""
            redis-cli --cluster create {nodes} --cluster-replicas 0 --cluster-yes || exit 1
            for port in {string.Join(' ', ports)}; do
              n=0
              until redis-cli -p $port CLUSTER INFO | grep -q cluster_state:ok; do
                n=$((n + 1)); [ $n -gt 300 ] && echo "node $port: no cluster_state:ok after 60 s" && exit 1
                sleep 0.2
              done
            done
            echo "cluster ready: {nodes}"
            """;
    }

    /// <summary>
    /// The nodes' folder (their cluster configuration files) under the data root, emptied: the cluster keeps no data, and a
    /// node that found last run's configuration would believe it still belongs to last run's cluster.
    /// </summary>
    private static string NodeFolder(IDistributedApplicationBuilder builder)
    {
        var folder = Path.Combine(AppHostPaths.DataRoot(builder), ResourceNames.Cache + "-cluster");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        return Directory.CreateDirectory(folder).FullName;
    }

    /// <summary>
    /// Client ports from 7001 up with their bus ports 10,000 above (Redis's own convention), each pair free now. Below the
    /// kernel's ephemeral range on purpose: a port the kernel picked as free would be handed to an outgoing connection
    /// again before redis-server binds it (one AppHost test in six failed so).
    /// </summary>
    private static int[] FreePorts(int count)
    {
        var ports = Enumerable.Range(FirstClientPort, 999).Where(port => IsFree(port) && IsFree(port + BusPortOffset)).Take(count / 2).ToArray();
        if (ports.Length < count / 2)
        {
            throw new InvalidOperationException(
                $"Cache:Mode=redis-cluster needs {count / 2} free ports between {FirstClientPort} and {FirstClientPort + 998} (and each one {BusPortOffset} above for the cluster bus); stop what holds them.");
        }

        return [.. ports, .. ports.Select(port => port + BusPortOffset)];
    }

    private static bool IsFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static void RequireOnPath(string command)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(Path.PathSeparator).Any(folder => File.Exists(Path.Combine(folder, command))))
        {
            throw new InvalidOperationException(
                $"Cache:Mode=redis-cluster runs a local Redis Cluster from '{command}', which is not on the PATH. " +
                "Install Debian's redis-server package (apt-get install -y redis-server; it brings redis-cli), or choose another Cache:Mode.");
        }
    }
}
