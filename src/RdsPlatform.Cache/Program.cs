// The embedded Redis-protocol cache (Garnet) the AppHost runs when no container engine or redis-server is used.
using System.Runtime.InteropServices;
using Garnet;
using RdsPlatform.Cache;

// Aspire passes the port it allocated in CACHE_PORT and the folder for the log beyond memory in CACHE_DATA; anything on
// the command line (Garnet's own options) wins.
var port = Environment.GetEnvironmentVariable("CACHE_PORT") ?? "6379";
var logDirectory = Environment.GetEnvironmentVariable("CACHE_DATA") ?? Path.Combine(Path.GetTempPath(), $"rds-cache-{port}");
// The cache keeps nothing across its restarts (services re-write what they hold): last run's segments are removed.
if (Directory.Exists(logDirectory))
{
    Directory.Delete(logDirectory, recursive: true);
}

Directory.CreateDirectory(logDirectory);
var garnetArgs = args.Length > 0 ? args : CacheServerArguments.Embedded(port, logDirectory);

var server = new GarnetServer(garnetArgs);
server.Start();
Console.WriteLine($"RdsPlatform cache (Garnet) listening on 127.0.0.1:{port}, log beyond memory in {logDirectory}");

// SIGTERM (the AppHost stopping) and Ctrl-C end the wait instead of the process, so the segments are removed on the way out.
var stopped = new TaskCompletionSource();
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => { signal.Cancel = true; stopped.TrySetResult(); });
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => { signal.Cancel = true; stopped.TrySetResult(); });
await stopped.Task;
server.Dispose();
Directory.Delete(logDirectory, recursive: true);
