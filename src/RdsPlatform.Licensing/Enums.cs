namespace RdsPlatform.Licensing;

/// <summary>The two RDS CAL models.</summary>
public enum CalType
{
    PerDevice = 1,
    PerUser = 2,
}

/// <summary>A Windows Server release, used for session hosts, license servers and CAL versions; the value is the year so versions order naturally.</summary>
public enum ProductVersion
{
    WindowsServer2016 = 2016,
    WindowsServer2019 = 2019,
    WindowsServer2022 = 2022,
    WindowsServer2025 = 2025,
}

/// <summary>The licensing mode configured on a session host.</summary>
public enum LicensingMode
{
    NotConfigured = 0,
    PerDevice = 1,
    PerUser = 2,
}

/// <summary>The state of an issued CAL as the license server records it.</summary>
public enum CalStatus
{
    /// <summary>Per Device temporary CAL (90 days, no pack seat); also a Per User record made while the server is not activated.</summary>
    Temporary = 1,
    /// <summary>Per Device CAL holding a seat of a pack.</summary>
    Permanent = 2,
    /// <summary>Per Device CAL revoked by an administrator; counts against the revoke cap until its former expiry.</summary>
    Revoked = 3,
    /// <summary>Shown for a CAL past its expiry; never stored by the policies, derived by <see cref="IssuedCal.StatusAt"/>.</summary>
    Expired = 4,
    /// <summary>Per User CAL recorded without a free seat (R9): reported, never silent.</summary>
    OverUsed = 5,
    /// <summary>Per User CAL holding a seat of a pack.</summary>
    Active = 6,
}

/// <summary>The licensing program a key pack was bought under (R16).</summary>
public enum KeyPackProgram
{
    Retail = 1,
    OpenLicense = 2,
    Agreement = 3,
}

/// <summary>The kind of volume agreement for <see cref="KeyPackProgram.Agreement"/> packs.</summary>
public enum AgreementType
{
    Select = 1,
    Enterprise = 2,
    Campus = 3,
    School = 4,
    Spla = 5,
    Other = 6,
}

/// <summary>Whether the users of a session host belong to a domain (Per User CALs can only be tracked in a domain, R12).</summary>
public enum ServerScope
{
    Workgroup = 1,
    Domain = 2,
}

/// <summary>Machine-readable reason on every licensing decision.</summary>
public enum ReasonCode
{
    /// <summary>Admitted without a CAL during the 120-day grace period (R1).</summary>
    GracePeriod = 1,
    /// <summary>A valid CAL was presented or already recorded.</summary>
    ValidCal = 2,
    TemporaryCalIssued = 3,
    CalUpgraded = 4,
    CalRenewed = 5,
    /// <summary>A Per User CAL was assigned to or recorded for the user.</summary>
    PerUserRecorded = 6,
    /// <summary>Workgroup scope: admitted, not tracked (R12).</summary>
    PerUserNotTracked = 7,
    /// <summary>No free Per User seat: recorded in the OverUsed pool and admitted (R9).</summary>
    PerUserOverUsed = 8,
    NoLicenseServer = 9,
    NoLicensesAvailable = 10,
    TemporaryCalExpired = 11,
    /// <summary>A permanent CAL expired unrenewed; its seat went back to the pool.</summary>
    CalExpired = 12,
    CalVersionIncompatible = 13,
    ModeNotConfigured = 14,
    CertificateInvalid = 15,
    CalRevoked = 16,
    /// <summary>The 20% revoke cap of that version is reached (R8).</summary>
    RevokeCapReached = 17,
    /// <summary>The CAL cannot be revoked (Per User, temporary, expired or already revoked).</summary>
    RevokeNotAllowed = 18,
    /// <summary>Input refused field by field.</summary>
    InvalidInput = 19,
    /// <summary>The key pack's version is newer than the license server's (R14).</summary>
    VersionNotHosted = 20,
    ServerNotActivated = 21,
    AlreadyActivated = 22,
    ServerActivated = 23,
    ServerDeactivated = 24,
    ServerReactivated = 25,
    /// <summary>Fewer unissued licenses in the pack than asked to remove, or the pack still has issued CALs.</summary>
    LicensesInUse = 26,
    LicensesRemoved = 27,
    KeyPackUninstalled = 28,
    TemporaryCalValidated = 29,
    /// <summary>The license server serves only the session hosts of its security group (R18).</summary>
    HostNotAllowed = 30,
}
