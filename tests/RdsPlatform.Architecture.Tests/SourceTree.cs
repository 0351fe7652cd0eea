namespace RdsPlatform.Architecture.Tests;

/// <summary>The repository's hand-written sources under <c>src/</c>, found from the test's own folder.</summary>
internal static class SourceTree
{
    public static string Root { get; } = FindRoot();

    public static string Src => Path.Combine(Root, "src");

    public static string Tests => Path.Combine(Root, "tests");

    /// <summary>C# and Razor files people write: build output and code generated from the protos are left out.</summary>
    public static IReadOnlyList<string> HandWritten(params string[] extensions) => HandWrittenUnder(Src, extensions);

    /// <summary>The test projects' C# files, as <see cref="HandWritten"/>.</summary>
    public static IReadOnlyList<string> HandWrittenTests() => HandWrittenUnder(Tests, ".cs");

    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static IReadOnlyList<string> HandWrittenUnder(string folder, params string[] extensions) =>
        [.. extensions
            .SelectMany(extension => Directory.EnumerateFiles(folder, "*" + extension, SearchOption.AllDirectories))
            .Where(path => !IsBuildOutput(folder, path) && !IsGenerated(path))
            .Order(StringComparer.Ordinal)];

    private static bool IsBuildOutput(string folder, string path)
    {
        var parts = Path.GetRelativePath(folder, path).Split(Path.DirectorySeparatorChar);
        return parts.Contains("bin") || parts.Contains("obj");
    }

    private static bool IsGenerated(string path) =>
        path.EndsWith(".g.cs", StringComparison.Ordinal) || path.EndsWith(".Designer.cs", StringComparison.Ordinal);

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "RdsPlatform.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"RdsPlatform.sln was not found above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
