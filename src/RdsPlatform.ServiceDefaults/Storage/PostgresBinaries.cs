namespace RdsPlatform.ServiceDefaults.Storage;

/// <summary>
/// Where Debian's PostgreSQL server binaries are: <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, off the PATH. Shared by
/// the AppHost (linked, as ResourceNames is) and the test fixture that start a private server.
/// </summary>
public static class PostgresBinaries
{
    /// <summary>The Debian package that installs them.</summary>
    public const string DebianPackage = "postgresql";

    /// <summary>The newest version folder holding both initdb and postgres, or null when none is installed.</summary>
    public static string? Find() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "postgres")) && File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var version) ? version : 0)
                .FirstOrDefault()
            : null;
}
