using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace RdsPlatform.Reliability.Tests;

/// <summary>
/// The gateway published with Native AOT (<c>dotnet publish src/RdsPlatform.SessionHost -c Release -r linux-x64
/// -p:PublishAot=true</c>, the command docs/session-host.md gives), once per test run, into a temp folder. Publishing
/// needs clang and zlib1g-dev from Debian; without them the tests that use it fail and name the packages.
/// </summary>
public static class NativeGateway
{
    private static readonly TimeSpan PublishBound = TimeSpan.FromMinutes(15);
    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    /// <summary>The published executable.</summary>
    public static Task<string> ExecutableAsync() => Published.Value;

    private static async Task<string> PublishAsync()
    {
        // The AOT compiler links with clang and zlib; without them the publish fails far less legibly.
        var missing = new[] { (Package: "clang", Present: OnPath("clang")), (Package: "zlib1g-dev", Present: File.Exists("/usr/include/zlib.h")) }
            .Where(p => !p.Present).Select(p => p.Package).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Publishing the gateway with Native AOT needs Debian's {string.Join(" and ", missing)}; install them with: apt-get install -y clang zlib1g-dev");
        }

        var metadata = typeof(NativeGateway).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        var project = Path.Combine(metadata["RepositoryRoot"]!, "src", "RdsPlatform.SessionHost");
        var output = Path.Combine(Path.GetTempPath(), "rds-reliability", "native-gateway", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "publish", project, "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output, "-nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (var timeout = new CancellationTokenSource(PublishBound))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"The Native AOT publish of the gateway took over {PublishBound.TotalMinutes:0} minutes. Its output:\n{Tail(log)}");
            }
        }

        var executable = Path.Combine(output, "RdsPlatform.SessionHost");
        if (process.ExitCode != 0 || !File.Exists(executable))
        {
            throw new InvalidOperationException($"The Native AOT publish of the gateway failed (exit code {process.ExitCode}). Its output:\n{Tail(log)}");
        }

        return executable;
    }

    private static bool OnPath(string tool) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, tool)));

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }

    private static string Tail(StringBuilder log)
    {
        lock (log)
        {
            var text = log.ToString();
            return text.Length <= 8000 ? text : text[^8000..];
        }
    }
}
