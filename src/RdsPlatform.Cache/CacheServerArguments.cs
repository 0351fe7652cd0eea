namespace RdsPlatform.Cache;

/// <summary>
/// The embedded cache's Garnet options. Its log lives in memory up to <c>--memory</c> and spills to files in the data
/// folder beyond it (<c>--storage-tier</c>): without a storage tier Garnet drops its oldest records once the memory is
/// full, and a busy gateway writes a session per Connect, so sessions a gateway had acknowledged were lost under load.
/// Compaction keeps the folder to a few segments of live records (expired and overwritten ones are dropped).
/// </summary>
public static class CacheServerArguments
{
    /// <summary>The options the AppHost's cache runs with.</summary>
    /// <param name="port">The loopback port to listen on.</param>
    /// <param name="logDirectory">The folder for the log's spilled segments; emptied by the caller (nothing is recovered).</param>
    /// <param name="memory">How much of the log stays in memory (Garnet's size syntax, e.g. 512m).</param>
    /// <param name="page">The log's page size; a record must fit in one page.</param>
    /// <param name="segment">The size of each spilled file.</param>
    public static string[] Embedded(string port, string logDirectory, string memory = "512m", string page = "32m", string segment = "256m") =>
    [
        "--port", port, "--bind", "127.0.0.1", "--index", "64m", "--memory", memory, "--page", page, "--lua",
        // The managed file device: the native one needs libaio, which a machine with only the .NET SDK may lack.
        "--storage-tier", "--logdir", logDirectory, "--segment", segment, "--device-type", "RandomAccess",
        "--compaction-freq", "60", "--compaction-type", "Lookup", "--compaction-max-segments", "8",
    ];
}
