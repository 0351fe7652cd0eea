using System.Diagnostics;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.AppHost;

/// <summary>Finding Debian's PostgreSQL binaries and creating the AppHost server's data folder once (initdb).</summary>
internal static class LocalPostgres
{
    /// <summary>
    /// The folder holding initdb and postgres: <c>Database:PostgresBinaries</c> when set, else the newest
    /// <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> (off the PATH on Debian). Missing binaries stop the AppHost with the package to install.
    /// </summary>
    public static string FindBinaries(string? configured)
    {
        var found = string.IsNullOrWhiteSpace(configured) ? PostgresBinaries.Find() : HoldsServer(configured) ? configured : null;
        var searched = string.IsNullOrWhiteSpace(configured) ? "under /usr/lib/postgresql/<version>/bin" : $"in Database:PostgresBinaries ({configured})";
        return found ?? throw new InvalidOperationException(
            $"Database:Mode=postgres runs the machine's PostgreSQL server, but no initdb/postgres was found {searched}. " +
            $"Install the Debian package '{PostgresBinaries.DebianPackage}' (apt-get install -y {PostgresBinaries.DebianPackage}), or use Database:Mode=sqlite, external or container.");
    }

    private static bool HoldsServer(string bin) => File.Exists(Path.Combine(bin, "postgres")) && File.Exists(Path.Combine(bin, "initdb"));

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
