// rdslic's process entry: Ctrl+C cancels the running call, then RdslicApp runs the command.
using RdsPlatform.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C cancels the running call cleanly; the process then exits with 130.
    e.Cancel = true;
    cancellation.Cancel();
};

return await RdslicApp.RunAsync(args, CliHost.FromProcess(), cancellation.Token);
