using System.Diagnostics;
using System.Reflection;
using System.Text;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace RdsPlatform.Reliability.Tests;

/// <summary>
/// One RdsPlatform service run as a real process (<c>dotnet &lt;Service&gt;.dll</c>, or a native executable such as the
/// gateway's Native AOT publish) on a fixed loopback port, so it can be killed, terminated, frozen and started again on the
/// same address and data. Its output goes to a log file for diagnosis.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);

    // Processes still running when the test host exits (a test that never reached its dispose) are killed with it.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<ServiceProcess, byte> Live = new();

    static ServiceProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var service in Live.Keys)
        {
            service.Kill();
        }
    };
    private readonly string _assembly;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string? _executable;
    private readonly IReadOnlyList<int> _otherPorts;
    private readonly object _logLock = new();
    private Process? _process;
    private StreamWriter? _log;

    /// <param name="executable">A native executable to run instead of <c>dotnet &lt;assembly&gt;.dll</c>.</param>
    /// <param name="otherPorts">Further loopback ports it listens on (the JSON API and management ports).</param>
    public ServiceProcess(string name, string assembly, int port, string logPath, IReadOnlyDictionary<string, string> environment,
        string? executable = null, IReadOnlyList<int>? otherPorts = null)
    {
        Name = name;
        _assembly = assembly;
        _executable = executable;
        _otherPorts = otherPorts ?? [];
        Port = port;
        LogPath = logPath;
        _environment = environment;
        Address = new Uri($"http://127.0.0.1:{port}");
        Channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 });
    }

    public string Name { get; }

    public int Port { get; }

    public Uri Address { get; }

    public string LogPath { get; }

    /// <summary>One channel for the life of the test: it reconnects by itself when the process comes back.</summary>
    public GrpcChannel Channel { get; }

    public bool IsRunning => _process is { HasExited: false };

    public int? ProcessId => _process?.Id;

    /// <summary>Starts the process and waits (bounded) until gRPC health answers SERVING.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        var start = new ProcessStartInfo(_executable ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_executable is null)
        {
            start.ArgumentList.Add(ServiceDll(_assembly));
        }

        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(string.Join(';', _otherPorts.Select(port => $"http://127.0.0.1:{port}").Prepend(Address.ToString().TrimEnd('/'))));
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "OTEL_EXPORTER_OTLP_ENDPOINT", "DOTNET_RUNNING_IN_CONTAINER" })
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        lock (_logLock)
        {
            _log ??= new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            _log.WriteLine($"===== start {Name} at {DateTimeOffset.Now:O} =====");
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Live[this] = 0;
        await WaitServingAsync();
    }

    /// <summary>kill -9: no shutdown code runs.</summary>
    public void Kill()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        Append($"===== killed (SIGKILL) at {DateTimeOffset.Now:O} =====");
        Release();
    }

    /// <summary>kill -TERM, then waits (bounded) for the process to exit by itself; returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan bound)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} is not running.");
        Append($"===== SIGTERM at {DateTimeOffset.Now:O} =====");
        await SignalAsync("TERM");
        using var timeout = new CancellationTokenSource(bound);
        await process.WaitForExitAsync(timeout.Token);
        var exitCode = process.ExitCode;
        Append($"===== exited with {exitCode} at {DateTimeOffset.Now:O} =====");
        Release();
        return exitCode;
    }

    /// <summary>kill -STOP: the process keeps its socket but answers nothing, as a hung server does.</summary>
    public Task FreezeAsync() => SignalAsync("STOP");

    /// <summary>kill -CONT.</summary>
    public Task ThawAsync() => SignalAsync("CONT");

    public string ReadLog()
    {
        lock (_logLock)
        {
            _log?.Flush();
        }

        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        Channel.Dispose();
        lock (_logLock)
        {
            _log?.Dispose();
            _log = null;
        }

        await Task.CompletedTask;
    }

    private async Task WaitServingAsync()
    {
        var health = new Health.HealthClient(Channel);
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < StartBound)
        {
            if (_process is null || _process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited during start-up (exit code {_process?.ExitCode}). Log:\n{Tail()}");
            }

            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    Append($"===== SERVING after {stopwatch.ElapsedMilliseconds} ms =====");
                    return;
                }
            }
            catch (RpcException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Name} did not report SERVING within {StartBound.TotalSeconds:0} s. Log:\n{Tail()}");
    }

    private async Task SignalAsync(string signal)
    {
        var pid = _process?.Id ?? throw new InvalidOperationException($"{Name} is not running.");
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString()]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
    }

    private void Release()
    {
        _process?.Dispose();
        _process = null;
        Live.TryRemove(this, out _);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            _log?.WriteLine(line);
        }
    }

    private string Tail()
    {
        var text = ReadLog();
        return text.Length <= 6000 ? text : text[^6000..];
    }

    private static string ServiceDll(string assembly)
    {
        var metadata = typeof(ServiceProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        // RDS_RELIABILITY_SOURCE_ROOT runs the suite against services built from another checkout (for example a release tag).
        var root = System.Environment.GetEnvironmentVariable("RDS_RELIABILITY_SOURCE_ROOT") is { Length: > 0 } other ? other : metadata["RepositoryRoot"]!;
        var dll = Path.Combine(root, "src", assembly, "bin", metadata["Configuration"]!, "net10.0", assembly + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{assembly}.dll was not built at {dll}; build the reliability tests, which build it.", dll);
    }
}
