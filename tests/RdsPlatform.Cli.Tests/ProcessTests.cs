using System.Diagnostics;

namespace RdsPlatform.Cli.Tests;

/// <summary>The built rdslic.dll run as a real process, as an administrator's shell runs it.</summary>
public sealed class ProcessTests
{
    [Fact]
    public async Task HelpRunsAsARealProcess()
    {
        var (exitCode, output, _) = await RunAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("rdslic", output);
        Assert.Contains("keypack", output);
    }

    [Fact]
    public async Task OutputToAPipeIsNotWrappedAtEightyColumnsUnlessColumnsSaysSo()
    {
        var (_, wide, _) = await RunAsync("host", "connect", "--help");
        var (_, narrow, _) = await RunAsync(new Dictionary<string, string> { ["COLUMNS"] = "60" }, "host", "connect", "--help");

        Assert.Contains(wide.Split('\n'), line => line.TrimEnd().Length > 80);
        Assert.All(narrow.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 60, line));
    }

    [Fact]
    public async Task AnUnreachableLicenseServerExitsThreeWithAClearMessage()
    {
        var port = RdsPlatform.Testing.GarnetFixture.FreeTcpPort();

        var (exitCode, output, error) = await RunAsync("server", "status", "--json", "--license-server", $"http://127.0.0.1:{port}");

        Assert.Equal(3, exitCode);
        Assert.Equal("", output);
        Assert.StartsWith($"error: Unavailable: could not reach the license server at http://127.0.0.1:{port}/", error);
        Assert.DoesNotContain("Exception", error);
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        RunAsync(new Dictionary<string, string>(), args);

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment.Remove("COLUMNS");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(RdslicDll());
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("RDSLIC_LICENSE_SERVER");
        start.Environment.Remove("RDSLIC_API_KEY");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output, await error);
    }

    /// <summary>The CLI's own build output (the test build builds it as a project reference).</summary>
    private static string RdslicDll()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = testOutput.Parent!.Name; // bin/<Configuration>/net10.0/
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Directory.Packages.props")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var dll = Path.Combine(root.FullName, "src", "RdsPlatform.Cli", "bin", configuration, "net10.0", "rdslic.dll");
        Assert.True(File.Exists(dll), $"rdslic.dll was not built at {dll}.");
        return dll;
    }
}
