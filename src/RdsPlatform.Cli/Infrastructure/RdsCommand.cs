using Grpc.Core;
using Spectre.Console;

namespace RdsPlatform.Cli.Infrastructure;

/// <summary>
/// Base of every rdslic command: builds the run's clients, and turns what goes wrong into a message on standard
/// error and a documented exit code, never a stack trace.
/// </summary>
public abstract class RdsCommand<TSettings>(CliHost host) : AsyncCommand<TSettings> where TSettings : GlobalSettings
{
    protected CliHost Host { get; } = host;

    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        Host.CommandStarted = true;
        ServiceClients? clients = null;
        try
        {
            clients = new ServiceClients(Host, settings);
            return await RunAsync(settings, clients, cancellationToken);
        }
        catch (UsageException exception)
        {
            Host.Error.WriteLine($"error: {exception.Message}");
            return ExitCodes.Usage;
        }
        catch (RpcException exception) when (clients is not null)
        {
            return ErrorReporter.Report(exception, clients, Host.Error);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Host.Error.WriteLine("error: Cancelled: the command was interrupted; the service may or may not have applied it.");
            return ExitCodes.Cancelled;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Host.Error.WriteLine($"error: {exception.Message}");
            return ExitCodes.Usage;
        }
        finally
        {
            clients?.Dispose();
        }
    }

    protected abstract Task<int> RunAsync(TSettings settings, ServiceClients clients, CancellationToken cancellationToken);

    /// <summary>Shows a spinner on standard error while <paramref name="work"/> runs, when standard error is a terminal.</summary>
    protected async Task<T> WithProgressAsync<T>(string status, Func<Task<T>> work)
        => Host.ShowProgress
            ? await Host.Progress.Status().StartAsync(status, _ => work())
            : await work();
}
