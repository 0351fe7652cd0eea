using Spectre.Console;

namespace RdsPlatform.Cli;

/// <summary>
/// Everything rdslic touches outside itself: the consoles, standard output as bytes, the environment and how it
/// reaches a service. Tests build one over string writers and in-process test servers.
/// </summary>
public sealed class CliHost
{
    /// <summary>Human output: tables and sentences (standard output).</summary>
    public required IAnsiConsole Out { get; init; }

    /// <summary>Plain standard output for <c>--json</c>: nothing but the document is written there.</summary>
    public required TextWriter RawOut { get; init; }

    /// <summary>Standard error: error messages and warnings.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Where progress spinners render (standard error), so that standard output stays clean for pipes.</summary>
    public required IAnsiConsole Progress { get; init; }

    /// <summary>Opens standard output for bytes (<c>report export --output -</c>).</summary>
    public required Func<Stream> OpenStandardOutput { get; init; }

    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The HTTP handler for a service address; null means a real socket connection.</summary>
    public Func<Uri, HttpMessageHandler>? HttpHandlerFactory { get; init; }

    /// <summary>True when progress may be drawn (standard error is an interactive terminal).</summary>
    public bool ShowProgress { get; init; }

    /// <summary>Set when a command begins to run, so that help shown for an incomplete command line counts as a usage error.</summary>
    internal bool CommandStarted { get; set; }

    /// <summary>Columns for tables and help when standard output is not a terminal (a pipe or a file): wide enough that no row wraps.</summary>
    internal const int RedirectedWidth = 400;

    public static CliHost FromProcess()
    {
        var errorIsTerminal = !Console.IsErrorRedirected;
        var output = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            // Spectre assumes 80 columns without a terminal, which wraps long rows across lines for grep and log files;
            // COLUMNS still wins when the caller sets it.
            output.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0
                ? columns
                : RedirectedWidth;
        }

        return new CliHost
        {
            Out = output,
            RawOut = Console.Out,
            Error = Console.Error,
            Progress = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(Console.Error),
                Interactive = errorIsTerminal ? InteractionSupport.Yes : InteractionSupport.No,
            }),
            OpenStandardOutput = Console.OpenStandardOutput,
            ShowProgress = errorIsTerminal,
        };
    }
}
