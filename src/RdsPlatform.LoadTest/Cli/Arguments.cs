using RdsPlatform.Shared;

namespace RdsPlatform.LoadTest.Cli;

/// <summary>
/// <c>--name value</c>, <c>--name=value</c> and bare <c>--flag</c> options after a command word. Unknown names are
/// refused by <see cref="ThrowOnUnused"/>, so a typo never silently runs a different load.
/// </summary>
public sealed class Arguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

    private Arguments(string command) => Command = command;

    public string Command { get; }

    public static Arguments Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0].StartsWith('-'))
        {
            throw new UsageException("Give a command first: run, setup, seed-licenses or report.");
        }

        var parsed = new Arguments(args[0]);
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"'{arg}' is not an option; options look like --name value.");
            }

            var name = arg[2..];
            string value;
            var equals = name.IndexOf('=');
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                value = "true";
            }

            if (!parsed._values.TryGetValue(name, out var list))
            {
                parsed._values[name] = list = [];
            }

            list.Add(value);
        }

        return parsed;
    }

    public string? Get(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var list) ? list[^1] : null;
    }

    public string Required(string name, string why) =>
        Get(name) is { Length: > 0 } value ? value : throw new UsageException($"--{name} is required: {why}");

    public bool Flag(string name) => Get(name) is { } value && !value.Equals("false", StringComparison.OrdinalIgnoreCase);

    public int Int(string name, int fallback, int min = 1, int max = int.MaxValue)
    {
        var text = Get(name);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text.Replace("_", ""), out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"--{name} must be a whole number from {min} to {max}; '{text}' is not.");
    }

    public TimeSpan? Duration(string name)
    {
        var text = Get(name);
        if (text is null)
        {
            return null;
        }

        // A bare number is seconds, as ghz reads it.
        return DurationText.TryParse(text, bareNumberIsSeconds: true, out var value)
            ? value
            : throw new UsageException($"--{name} must be a duration such as 500ms, 10s, 1m or 1m30s; '{text}' is not.");
    }

    public void ThrowOnUnused()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"Unknown option(s) for '{Command}': {string.Join(", ", unknown.Select(u => "--" + u))}. Run with --help for the list.");
        }
    }
}

/// <summary>A command line that cannot run; the message says what to change.</summary>
public sealed class UsageException(string message) : Exception(message);
