using System.Diagnostics;

namespace RdsPlatform.Testing;

/// <summary>
/// A real 3-master Redis Cluster for the test run, from Debian's <c>redis-server</c> package (it brings redis-cli): three
/// <c>redis-server --cluster-enabled yes</c> on free loopback ports, joined by <c>redis-cli --cluster create</c>. One
/// cluster serves every test class of a run (forming one costs seconds); a small shell watches the test process and stops
/// the servers and removes their folder once it is gone, because test hosts are often ended without ProcessExit handlers.
/// </summary>
public sealed class RedisCluster : ISharedCache
{
    public const string DebianPackage = "redis-server";
    public const int Masters = 3;

    private static readonly SemaphoreSlim StartGate = new(1, 1);
    private static RedisCluster? _shared;
    private static Exception? _failure;

    private readonly string _root;
    private Process? _watchdog;

    private RedisCluster(string root, IReadOnlyList<int> ports, IReadOnlyList<int> busPorts)
    {
        _root = root;
        Ports = ports;
        BusPorts = busPorts;
    }

    /// <summary>The client port of each master.</summary>
    public IReadOnlyList<int> Ports { get; }

    /// <summary>
    /// The cluster-bus port of each master, chosen free like the client ports: the default (client port + 10000) may be
    /// taken or above 65535 for the high ports a free-port search returns.
    /// </summary>
    public IReadOnlyList<int> BusPorts { get; }

    /// <summary>Every master as a seed, the form <c>ConnectionStrings:cache</c> takes for a cluster; the client discovers the rest.</summary>
    public string ConnectionString =>
        string.Join(',', Ports.Select(port => $"127.0.0.1:{port}")) + ",abortConnect=false,connectTimeout=2000,syncTimeout=1000";

    /// <summary>The run's cluster, formed on first use.</summary>
    public static async Task<RedisCluster> SharedAsync()
    {
        await StartGate.WaitAsync();
        try
        {
            // A cluster that did not form fails every class of the run at once, instead of each waiting out its own attempt.
            if (_failure is not null)
            {
                throw new InvalidOperationException(_failure.Message, _failure);
            }

            if (_shared is null)
            {
                var cluster = Create();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
                try
                {
                    await cluster.StartAsync();
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                {
                    cluster.Stop();
                    _failure = e;
                    throw;
                }

                _shared = cluster;
            }

            return _shared;
        }
        finally
        {
            StartGate.Release();
        }
    }

    /// <summary>Removes every key on every master, as FLUSHALL on each would.</summary>
    public Task FlushAsync() => CacheAdmin.FlushAllAsync(ConnectionString);

    /// <summary>Runs <c>redis-cli</c> against one node (no cluster redirection), for what must reach that node only.</summary>
    public Task<string> CliAsync(int port, params string[] arguments) =>
        RunAsync(FindCommand("redis-cli"), ["-h", "127.0.0.1", "-p", port.ToString(), .. arguments]);

    /// <summary>Stops the servers and removes their folder.</summary>
    public void Stop()
    {
        if (_watchdog is not { } watchdog)
        {
            return;
        }

        _watchdog = null;
        try
        {
            // The watchdog's trap stops the servers and removes the folder.
            Process.Start("kill", ["-TERM", watchdog.Id.ToString()])?.WaitForExit(5000);
            watchdog.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>The full path of a Redis command, from RDS_REDIS_BIN or the PATH; a failure names the Debian package.</summary>
    public static string FindCommand(string name) =>
        FindCommand(name, Environment.GetEnvironmentVariable("RDS_REDIS_BIN"), Environment.GetEnvironmentVariable("PATH"));

    /// <summary>The full path of a Redis command in <paramref name="redisBin"/> or on <paramref name="path"/>.</summary>
    public static string FindCommand(string name, string? redisBin, string? path)
    {
        var folders = new[] { redisBin }
            .Concat((path ?? "").Split(Path.PathSeparator))
            .Where(folder => !string.IsNullOrWhiteSpace(folder));
        return folders.Select(folder => Path.Combine(folder!, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"The Redis Cluster tests need '{name}', found neither on the PATH nor in RDS_REDIS_BIN. Install the Debian package " +
                $"'{DebianPackage}' (apt-get install -y {DebianPackage}; it brings redis-tools with redis-cli), or set RDS_REDIS_BIN to the folder holding redis-server and redis-cli.");
    }

    private static RedisCluster Create()
    {
        // Six distinct free ports: three for clients, three for the cluster bus.
        var ports = new HashSet<int>();
        while (ports.Count < Masters * 2)
        {
            ports.Add(GarnetFixture.FreeTcpPort());
        }

        var all = ports.ToArray();
        var root = Path.Combine(Path.GetTempPath(), $"rds-redis-cluster-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(root);
        return new RedisCluster(root, all[..Masters], all[Masters..]);
    }

    private async Task StartAsync()
    {
        var server = FindCommand("redis-server");
        var cli = FindCommand("redis-cli");
        _watchdog = Process.Start(WatchdogStart(server)) ?? throw new InvalidOperationException("redis-server did not start.");
        _watchdog.BeginOutputReadLine();
        _watchdog.BeginErrorReadLine();
        foreach (var port in Ports)
        {
            await UntilAsync(() => CliAsync(port, "PING"), answer => answer.Contains("PONG"), $"redis-server on port {port} did not answer PING");
        }

        await RunAsync(cli, ["--cluster", "create", .. Ports.Select(port => $"127.0.0.1:{port}"), "--cluster-replicas", "0", "--cluster-yes"]);
        foreach (var port in Ports)
        {
            await UntilAsync(
                () => CliAsync(port, "CLUSTER", "INFO"),
                info => info.Contains("cluster_state:ok") && info.Contains($"cluster_known_nodes:{Masters}"),
                $"the node on port {port} did not report cluster_state:ok with {Masters} known nodes");
        }
    }

    private ProcessStartInfo WatchdogStart(string server)
    {
        var servers = string.Join('\n', Ports.Select((port, i) =>
            $"{server} --port {port} --cluster-port {BusPorts[i]} --bind 127.0.0.1 --cluster-enabled yes " +
            $"--cluster-config-file {_root}/nodes-{port}.conf --cluster-node-timeout 5000 --dir {_root} --save '' " +
            $"--appendonly no --logfile {_root}/redis-{port}.log & pids=\"$pids $!\""));
        var script = $"""
            pids=""
            {servers}
            trap 'kill -TERM $pids 2>/dev/null; wait; rm -rf {_root}; exit 0' TERM INT
            while [ -d /proc/{Environment.ProcessId} ]; do sleep 1; done
            kill -TERM $pids 2>/dev/null; wait; rm -rf {_root}
            """;
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _root };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        return start;
    }

    private async Task UntilAsync(Func<Task<string>> probe, Func<string, bool> done, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var last = "";
        while (DateTime.UtcNow < deadline && _watchdog is { HasExited: false })
        {
            try
            {
                last = await probe();
                if (done(last))
                {
                    return;
                }
            }
            catch (InvalidOperationException e)
            {
                last = e.Message;
            }

            await Task.Delay(100);
        }

        var log = Directory.Exists(_root) ? string.Join('\n', Directory.GetFiles(_root, "*.log").Select(File.ReadAllText)) : "";
        throw new InvalidOperationException($"The test Redis Cluster did not form: {failure} (last answer: {last.Trim()}). Server logs: {log}");
    }

    private static async Task<string> RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error} {await output}");
        }

        return await output;
    }
}
