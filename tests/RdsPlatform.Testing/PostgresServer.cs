using System.Diagnostics;
using Npgsql;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.Testing;

/// <summary>
/// A private PostgreSQL server for the test run: <c>initdb</c> into a fresh folder under /tmp, <c>postgres</c> on a free
/// loopback port, stopped when the test process exits. One server is shared by every test class of a run (starting one
/// costs seconds); each class gets its own database from <see cref="PostgresDatabaseFixture"/>. PostgreSQL refuses to
/// run as root, so as root the server runs as the <c>postgres</c> user (runuser) in a folder that user owns and can reach.
/// </summary>
public sealed class PostgresServer
{
    private static readonly SemaphoreSlim StartGate = new(1, 1);
    private static PostgresServer? _shared;

    private readonly string _bin;
    private readonly string _root;
    private readonly bool _asRoot;
    private Process? _process;

    private PostgresServer(string bin, string root, int port, bool asRoot)
    {
        _bin = bin;
        _root = root;
        Port = port;
        _asRoot = asRoot;
    }

    public int Port { get; }

    public string DataDirectory => Path.Combine(_root, "data");

    /// <summary>A connection string to <paramref name="database"/> as the superuser (trust authentication on loopback).</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Pooling = true }.ToString();

    /// <summary>The run's server, started on first use.</summary>
    public static async Task<PostgresServer> SharedAsync()
    {
        await StartGate.WaitAsync();
        try
        {
            if (_shared is null)
            {
                var server = Create();
                await server.StartAsync();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
                _shared = server;
            }

            return _shared;
        }
        finally
        {
            StartGate.Release();
        }
    }

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{new string(prefix.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray())}_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>The folder of <c>initdb</c> and <c>postgres</c>: the newest version Debian's package installed.</summary>
    public static string FindBinaries()
    {
        var root = Environment.GetEnvironmentVariable("RDS_POSTGRES_BIN");
        if (!string.IsNullOrWhiteSpace(root) && File.Exists(Path.Combine(root, "postgres")))
        {
            return root;
        }

        var found = PostgresBinaries.Find();
        return found ?? throw new InvalidOperationException(
            $"The PostgreSQL tests need a PostgreSQL server: no initdb/postgres under /usr/lib/postgresql/<version>/bin. " +
            $"Install the Debian package '{PostgresBinaries.DebianPackage}' (apt-get install -y {PostgresBinaries.DebianPackage}), or set RDS_POSTGRES_BIN to the folder holding initdb and postgres.");
    }

    private static PostgresServer Create()
    {
        var bin = FindBinaries();
        var asRoot = Environment.UserName == "root";
        // Under /tmp, not the home folder: the postgres user must be able to enter every parent of its data folder.
        var root = Path.Combine(Path.GetTempPath(), $"rds-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32]);
        Directory.CreateDirectory(root);
        if (asRoot)
        {
            Run("chown", ["postgres:postgres", root]);
        }

        return new PostgresServer(bin, root, GarnetFixture.FreeTcpPort(), asRoot);
    }

    private async Task StartAsync()
    {
        RunAsServerUser(Path.Combine(_bin, "initdb"), ["-D", DataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
        // fsync off: a test server's data never has to survive a power cut, and 2 shared cores spend their time better.
        // The test host is often ended without running ProcessExit handlers, so a small shell watches it and stops the
        // server and removes its folder once the test process is gone.
        var postgres = $"{Path.Combine(_bin, "postgres")} -D {DataDirectory} -p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300";
        var watchdog = $"""
            {postgres} & pg=$!
            trap 'kill -TERM $pg; wait $pg; rm -rf {_root}; exit 0' TERM INT
            while [ -d /proc/{Environment.ProcessId} ] && kill -0 $pg 2>/dev/null; do sleep 1; done
            kill -TERM $pg 2>/dev/null; wait $pg; rm -rf {_root}
            """;
        var start = StartInfo("/bin/sh", ["-c", watchdog]);
        _process = Process.Start(start) ?? throw new InvalidOperationException("postgres did not start.");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAcceptingAsync();
    }

    /// <summary>
    /// A server of its own, for a test that stops and starts it (the run's shared server must stay up for every other
    /// test). Started with pg_ctl, so it can be stopped and started again on the same folder and port; a watchdog stops
    /// it and removes its folder when the test process is gone. <see cref="Stop"/> ends it for good.
    /// </summary>
    public static async Task<PostgresServer> StartPrivateAsync()
    {
        var server = Create();
        server.RunAsServerUser(Path.Combine(server._bin, "initdb"), ["-D", server.DataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
        var watchdog = $"""
            while [ -d /proc/{Environment.ProcessId} ]; do sleep 1; done
            {Path.Combine(server._bin, "pg_ctl")} stop -D {server.DataDirectory} -m immediate; rm -rf {server._root}
            """;
        server._process = Process.Start(server.StartInfo("/bin/sh", ["-c", watchdog])) ?? throw new InvalidOperationException("The watchdog did not start.");
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        await server.StartServerAsync();
        return server;
    }

    /// <summary>Starts a private server (again) on its folder and port; returns once it accepts connections.</summary>
    public async Task StartServerAsync()
    {
        RunAsServerUser(Path.Combine(_bin, "pg_ctl"), ["start", "-D", DataDirectory, "-w", "-t", "60", "-l", Path.Combine(_root, "server.log"),
            "-o", $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"]);
        await WaitUntilAcceptingAsync();
    }

    /// <summary>Stops a private server as an operator would (fast shutdown: open sessions are ended), keeping its data.</summary>
    public void StopServer() => RunAsServerUser(Path.Combine(_bin, "pg_ctl"), ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30"]);

    private async Task WaitUntilAcceptingAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false;Timeout=2");
                await connection.OpenAsync();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                if (_process is { HasExited: true } || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"The test PostgreSQL server did not accept connections on port {Port} ({e.Message}).", e);
                }

                await Task.Delay(100);
            }
        }
    }

    /// <summary>Fast shutdown (open sessions are ended), then the folder is removed.</summary>
    public void Stop()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            RunAsServerUser(Path.Combine(_bin, "pg_ctl"), ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "10"]);
        }
        catch (InvalidOperationException)
        {
            // Already gone: nothing to stop.
        }

        if (!_process.WaitForExit(5000))
        {
            // A private server's watchdog waits for the test process; the server is stopped, so it has nothing left to do.
            _process.Kill(entireProcessTree: true);
        }

        _process = null;
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A folder under /tmp left behind is harmless.
        }
    }

    private void RunAsServerUser(string file, string[] arguments)
    {
        var start = StartInfo(file, arguments);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {error} {output.Result}");
        }
    }

    private ProcessStartInfo StartInfo(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(_asRoot ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root,
        };
        if (_asRoot)
        {
            foreach (var part in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(part);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static void Run(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}).");
        }
    }
}
