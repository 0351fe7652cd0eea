namespace RdsPlatform.Licensing;

/// <summary>A session host asking the license server for a CAL on behalf of a device or user.</summary>
/// <param name="Subject">Hardware id (Per Device) or <c>DOMAIN\user</c> (Per User).</param>
/// <param name="PreventUpgrade">R13 "prevent license upgrade": issue only CALs of exactly the host's version.</param>
public sealed record LicenseRequest(CalType Type, string Subject, ProductVersion HostVersion, bool PreventUpgrade = false);

/// <summary>What the store loads, inside one transaction, before an issuance decision.</summary>
/// <param name="Packs">Installed packs (at least those of the request's CAL type) with seats occupied now.</param>
/// <param name="SubjectCals">Every CAL on record for the request's subject and CAL type, any version and status.</param>
public sealed record IssuanceSnapshot(bool ServerActivated, IReadOnlyList<KeyPackSnapshot> Packs, IReadOnlyList<IssuedCal> SubjectCals);

/// <summary>What the store must do with an <see cref="IssuanceOutcome"/>.</summary>
public enum IssuanceKind
{
    /// <summary>Nothing to write: hand out <see cref="IssuanceOutcome.Cal"/> as it is.</summary>
    Reuse = 1,
    /// <summary>Insert <see cref="IssuanceOutcome.Cal"/> (a new license id).</summary>
    Issue = 2,
    /// <summary>Overwrite the stored CAL with the same license id (upgrade, renewal, extension, validation).</summary>
    Update = 3,
    /// <summary>Nothing issued; <see cref="IssuanceOutcome.Reason"/> says why.</summary>
    Refuse = 4,
}

/// <summary>The result of an issuance decision; the store persists it in the transaction that loaded the snapshot.</summary>
/// <param name="Cal">The CAL to write or hand out; null when refused.</param>
/// <param name="SeatTakenFrom">The pack from which this outcome takes a new seat, so a store can guard it (issued &lt; installed) in SQL.</param>
public sealed record IssuanceOutcome(IssuanceKind Kind, ReasonCode Reason, string Message, IssuedCal? Cal, Guid? SeatTakenFrom = null)
{
    public bool Granted => Kind != IssuanceKind.Refuse;
}
