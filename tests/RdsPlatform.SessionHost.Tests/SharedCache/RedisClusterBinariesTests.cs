using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.SharedCache;

/// <summary>The cluster tests never skip: without redis-server they fail with a sentence that names the package to install.</summary>
public sealed class RedisClusterBinariesTests
{
    [Fact]
    public void AMissingRedisServerFailsNamingTheDebianPackage()
    {
        var empty = Directory.CreateTempSubdirectory("rds-no-redis-");
        try
        {
            var missing = Assert.Throws<InvalidOperationException>(() => RedisCluster.FindCommand("redis-server", redisBin: null, path: empty.FullName));

            Assert.Contains("apt-get install -y redis-server", missing.Message);
            Assert.Contains("RDS_REDIS_BIN", missing.Message);
        }
        finally
        {
            empty.Delete();
        }
    }

    [Fact]
    public void RdsRedisBinIsSearchedBeforeThePath()
    {
        var folder = Directory.CreateTempSubdirectory("rds-redis-bin-");
        try
        {
            var command = Path.Combine(folder.FullName, "redis-cli");
            File.WriteAllText(command, "");

            Assert.Equal(command, RedisCluster.FindCommand("redis-cli", redisBin: folder.FullName, path: "/usr/bin"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
