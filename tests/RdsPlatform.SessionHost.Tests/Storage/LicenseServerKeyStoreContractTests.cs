using RdsPlatform.Licensing;
using RdsPlatform.SessionHost.LicenseServers;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.Storage;

/// <summary>
/// What the gateway's store of license server keys promises on every engine: a key one gateway saw verifies certificates
/// for another replica and after a restart, and a server that changed its key replaces the old one.
/// </summary>
public abstract class LicenseServerKeyStoreContractTests
{
    private static readonly LicenseServerIdentity First = new("ls-id-1", [1, 2, 3, 4], ProductVersion.WindowsServer2022, ServerScope.Domain);

    /// <summary>A store over the test's one database, as a separate process (a replica, a restart) opens it.</summary>
    protected abstract ILicenseServerKeyStore NewReplica();

    [Fact]
    public void AKeySavedByOneReplicaIsFoundByAnotherAfterARestart()
    {
        NewReplica().Save("http://ls-a:5101", First);

        var found = NewReplica().Find("http://ls-a:5101");

        Assert.NotNull(found);
        Assert.Equal((First.ServerId, First.Version, First.Scope), (found.ServerId, found.Version, found.Scope));
        Assert.Equal(First.PublicKey, found.PublicKey);
    }

    [Fact]
    public void SavingAgainReplacesTheKeyOfThatAddressOnly()
    {
        var store = NewReplica();
        store.Save("http://ls-a:5101", First);
        store.Save("http://ls-b:5101", First with { ServerId = "ls-id-b" });
        store.Save("http://ls-a:5101", new LicenseServerIdentity("ls-id-2", [9, 9], ProductVersion.WindowsServer2025, ServerScope.Workgroup));

        var replica = NewReplica();

        Assert.Equal(("ls-id-2", ProductVersion.WindowsServer2025, ServerScope.Workgroup), replica.Find("http://ls-a:5101") is { } a ? (a.ServerId, a.Version, a.Scope) : default);
        Assert.Equal(new byte[] { 9, 9 }, replica.Find("http://ls-a:5101")!.PublicKey);
        Assert.Equal("ls-id-b", replica.Find("http://ls-b:5101")?.ServerId);
    }

    [Fact]
    public void AnAddressNeverSeenHasNoKey() => Assert.Null(NewReplica().Find("http://nowhere:5101"));
}

public sealed class SqliteLicenseServerKeyStoreContractTests : LicenseServerKeyStoreContractTests
{
    private readonly SqliteGatewayReplicas _replicas = new();

    protected override ILicenseServerKeyStore NewReplica() => new SqliteLicenseServerKeyStore(_replicas.New(), TimeProvider.System);
}

public sealed class PostgresLicenseServerKeyStoreContractTests(PostgresDatabaseFixture fixture)
    : LicenseServerKeyStoreContractTests, IClassFixture<PostgresDatabaseFixture>, IDisposable
{
    private readonly PostgresGatewayReplicas _replicas = new(fixture, "keys");

    protected override ILicenseServerKeyStore NewReplica() => new PostgresLicenseServerKeyStore(_replicas.New(), TimeProvider.System);

    public void Dispose() => _replicas.Dispose();
}
