// rds-load's process entry: Ctrl+C cancels the run, then Commands runs the chosen command.
using RdsPlatform.LoadTest.Cli;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

return await Commands.RunAsync(args, Console.Out, Console.Error, stop.Token);
