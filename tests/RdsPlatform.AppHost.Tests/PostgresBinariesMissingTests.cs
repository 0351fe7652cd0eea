namespace RdsPlatform.AppHost.Tests;

/// <summary><c>Database:Mode=postgres</c> on a machine without PostgreSQL's server binaries stops before anything starts, naming the package.</summary>
public sealed class PostgresBinariesMissingTests
{
    [Fact]
    public async Task PostgresModeWithoutTheServerBinariesStopsTheAppHostNamingTheDebianPackage()
    {
        // An empty folder stands for a machine where the postgresql package is not installed.
        var empty = Directory.CreateTempSubdirectory("rds-no-postgres-").FullName;

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var builder = await AppHostTopology.CreateBuilderAsync(
                ["--Database:Mode=postgres", $"--Database:PostgresBinaries={empty}", "--Cache:Mode=garnet"]);
            await using var app = await builder.BuildAsync();
        });

        var messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        Assert.Contains("no initdb/postgres was found", messages);
        Assert.Contains(empty, messages);
        Assert.Contains("apt-get install -y postgresql", messages);
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
