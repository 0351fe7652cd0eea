namespace RdsPlatform.Licensing;

/// <summary>The license server's answer rules around issuance: which requests are tracked (R12) and which answers carry a certificate.</summary>
public static class IssuanceRules
{
    /// <summary>R12: Per User CALs are tracked only by a domain-scoped license server, for a user of a domain.</summary>
    public static bool TracksPerUser(ServerScope scope, string? userDomain) =>
        scope == ServerScope.Domain && !string.IsNullOrWhiteSpace(userDomain);

    /// <summary>An answer carries a signed certificate when it holds a CAL the client may use: never a revoked or expired one.</summary>
    public static bool CarriesCertificate(ReasonCode reason) =>
        reason is not (ReasonCode.CalRevoked or ReasonCode.CalExpired or ReasonCode.TemporaryCalExpired);
}
