using System.Diagnostics;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.AppHost;

/// <summary>Finding Debian's PostgreSQL binaries and creating the AppHost server's data folder once (initdb).</summary>
internal static class LocalPostgres
{
    /// <summary>The newest <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> holding initdb and postgres (off the PATH on Debian).</summary>
    public static string FindBinaries()
    {
        var found = PostgresBinaries.Find();
        return found ?? throw new InvalidOperationException(
            $"Database:Mode=postgres runs the machine's PostgreSQL server, but no initdb/postgres was found under /usr/lib/postgresql/<version>/bin. " +
            $"Install the Debian package '{PostgresBinaries.DebianPackage}' (apt-get install -y {PostgresBinaries.DebianPackage}), or use Database:Mode=sqlite, external or container.");
    }

    /// <summary>
    /// initdb into <c>&lt;dataDirectory&gt;/data</c> when it holds no cluster yet. As root, the folder is given to the
    /// postgres user, who must also be able to enter every parent folder (a home folder with mode 700 is not).
    /// </summary>
    public static void InitializeOnce(string bin, string dataDirectory, bool asRoot)
    {
        var data = Path.Combine(dataDirectory, "data");
        if (File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            return;
        }

        Directory.CreateDirectory(dataDirectory);
        if (asRoot)
        {
            Run("chown", ["postgres:postgres", dataDirectory]);
        }

        string[] initdb = [Path.Combine(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"];
        Run(asRoot ? "runuser" : initdb[0], asRoot ? ["-u", "postgres", "--", .. initdb] : initdb[1..]);
    }

    private static void Run(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"Preparing the PostgreSQL folder failed: {file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error}{output.Result} " +
                "(as root, the postgres user must be able to enter every parent of RdsPlatform:DataRoot).");
        }
    }
}
