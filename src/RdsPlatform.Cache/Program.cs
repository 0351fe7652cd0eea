// The embedded Redis-protocol cache (Garnet) the AppHost runs when no container engine or redis-server is used.
using Garnet;

// Aspire passes the port it allocated in CACHE_PORT; anything on the command line (Garnet's own options) wins.
var port = Environment.GetEnvironmentVariable("CACHE_PORT") ?? "6379";
string[] defaults = ["--port", port, "--bind", "127.0.0.1", "--index", "64m", "--memory", "512m", "--lua"];
var garnetArgs = args.Length > 0 ? args : defaults;

using var server = new GarnetServer(garnetArgs);
server.Start();
Console.WriteLine($"RdsPlatform cache (Garnet) listening on 127.0.0.1:{port}");

var stopped = new TaskCompletionSource();
AppDomain.CurrentDomain.ProcessExit += (_, _) => stopped.TrySetResult();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopped.TrySetResult(); };
await stopped.Task;
