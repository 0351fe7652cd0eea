namespace RdsPlatform.Manager.Tests;

/// <summary>Where the tests save the screenshots that docs/manager.md shows: docs/manager/ of the repository.</summary>
public static class Screenshots
{
    public static string PathOf(string name)
    {
        var folder = Path.Combine(RepositoryRoot(), "docs", "manager");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name + ".png");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RdsPlatform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No RdsPlatform.sln above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
