namespace RdsPlatform.Licensing;

/// <summary>An installed key pack as an issuance decision needs it: how many seats it has and how many are occupied now.</summary>
/// <param name="Occupied">CALs of this pack with <see cref="IssuedCal.HoldsSeatAt"/> true at the decision time.</param>
public sealed record KeyPackSnapshot(
    Guid Id,
    ProductVersion Version,
    CalType CalType,
    int Installed,
    int Occupied,
    DateTimeOffset InstalledAt)
{
    /// <summary>Seats that may be issued now (never negative).</summary>
    public int Free => Math.Max(0, Installed - Occupied);
}

/// <summary>R16: what an administrator enters to install a key pack; only the fields of the chosen program are read.</summary>
/// <param name="RetailCode">Retail: 25 letters/digits, 5 groups of 5, dashes optional.</param>
/// <param name="LicenseNumber">Open License: 8 digits.</param>
/// <param name="AuthorizationNumber">Open License: 15 letters/digits.</param>
/// <param name="AgreementNumber">Agreement: 7 digits.</param>
public sealed record KeyPackRequest(
    KeyPackProgram Program,
    ProductVersion Version,
    CalType CalType,
    int Count,
    string? RetailCode = null,
    string? LicenseNumber = null,
    string? AuthorizationNumber = null,
    AgreementType? AgreementType = null,
    string? AgreementNumber = null);

/// <summary>The result of validating a <see cref="KeyPackRequest"/>: every violation, or the key that makes the pack unique.</summary>
/// <param name="InstallKey">
/// Canonical key for the store's unique index ("a code is installed once"), null when invalid.
/// Retail: <c>RETAIL:ABCDE-FGHIJ-KLMNO-PQRST-UVWXY</c> (upper case, dashed). Open License and Agreement numbers cover
/// several products, so their key adds version and CAL type: <c>OPEN:12345678:AUTH…:2022:PerUser</c>, <c>AGREEMENT:Select:1234567:2022:PerDevice</c>.
/// </param>
public sealed record KeyPackValidation(IReadOnlyList<FieldViolation> Violations, string? InstallKey, ReasonCode? Reason)
{
    public bool IsValid => Violations.Count == 0;
}

/// <summary>Field names used in key pack violations (snake_case, as in the protos).</summary>
public static class KeyPackFields
{
    public const string Program = "program";
    public const string Version = "product_version";
    public const string CalType = "cal_type";
    public const string Count = "count";
    public const string RetailCode = "retail_code";
    public const string OpenLicenseNumber = "open_license_number";
    public const string AuthorizationNumber = "authorization_number";
    public const string AgreementType = "agreement_type";
    public const string AgreementNumber = "agreement_number";
}
