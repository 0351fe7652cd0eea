using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Application;

// What the license server application answers with (the refusal types are the shared ServiceDefaults.Outcomes ones).
/// <summary>The answer to a license request or renewal: the reason, a sentence, and the CAL with its signed certificate when one is held.</summary>
public sealed record LicenseAnswer(ReasonCode Reason, string Message, LicenseRecord? License, byte[]? Certificate)
{
    /// <summary>True when this answer took a seat or issued a CAL: counted and logged once the write is committed.</summary>
    internal bool Issued { get; init; }
}

/// <summary>A revoked CAL and the R8 quota of its version after the revoke.</summary>
public sealed record RevokeAnswer(LicenseRecord License, int RevocableRemaining, DateTimeOffset? NextRevokeAllowedAt);

/// <summary>What GetServerInfo shows.</summary>
public sealed record ServerInfo(
    Guid ServerId,
    ProductVersion Version,
    ServerScope Scope,
    string Domain,
    ActivationState Activation,
    byte[] PublicKey,
    bool SecurityGroupEnabled,
    IReadOnlyList<string> AllowedSessionHosts,
    DateTimeOffset Now);

/// <summary>A license request as the session host sent it, already checked field by field.</summary>
public sealed record LicenseRequestInput(
    string? SessionHostId,
    ProductVersion HostVersion,
    CalType Type,
    string? HardwareId,
    string? ComputerName,
    string? UserDomain,
    string? UserName,
    bool PreventUpgrade);
