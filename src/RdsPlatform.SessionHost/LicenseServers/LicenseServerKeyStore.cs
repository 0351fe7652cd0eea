// Remembering each license server's identity and public key, on the gateway's storage engine.
using RdsPlatform.Licensing;

namespace RdsPlatform.SessionHost.LicenseServers;

/// <summary>What the gateway remembers of a license server so that certificates verify even while it is down.</summary>
public sealed record LicenseServerIdentity(string ServerId, byte[] PublicKey, ProductVersion Version, ServerScope Scope);

/// <summary>
/// The license servers' identities and public keys, by address, shared by every gateway replica on the same storage
/// (<see cref="SqliteLicenseServerKeyStore"/>, <see cref="PostgresLicenseServerKeyStore"/>).
/// </summary>
public interface ILicenseServerKeyStore
{
    /// <summary>The identity last seen at <paramref name="address"/>, or null when none was ever seen.</summary>
    LicenseServerIdentity? Find(string address);

    /// <summary>Keeps (or replaces) the identity seen at <paramref name="address"/>, durably before it returns.</summary>
    void Save(string address, LicenseServerIdentity identity);
}
