namespace RdsPlatform.Licensing;

/// <summary>What a signed CAL certificate binds: a license, its issuer, type, version, subject, temporary flag and lifetime.</summary>
/// <param name="Subject">Hardware id (Per Device) or <c>DOMAIN\user</c> (Per User).</param>
/// <param name="OverUsed">A Per User CAL in the OverUsed pool (R9): the gateway asks the server again, which moves it into a seat once one is free.</param>
public sealed record CalCertificate(
    Guid LicenseId,
    Guid IssuerId,
    CalType Type,
    ProductVersion Version,
    string Subject,
    bool Temporary,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    bool OverUsed = false)
{
    /// <summary>The certificate for an issued CAL, issued by server <paramref name="issuerId"/>.</summary>
    public static CalCertificate For(IssuedCal cal, Guid issuerId)
    {
        ArgumentNullException.ThrowIfNull(cal);
        return new(cal.LicenseId, issuerId, cal.Type, cal.Version, cal.Subject, cal.Status == CalStatus.Temporary, cal.IssuedAt, cal.ExpiresAt,
            cal.Status == CalStatus.OverUsed);
    }
}

/// <summary>The outcome of checking a presented certificate, in the order the checks run.</summary>
public enum CertificateCheckStatus
{
    NotPresented = 0,
    Valid = 1,
    /// <summary>Valid, but a non-temporary CAL within 7 days of expiry: renew it (R6/R10).</summary>
    RenewalDue = 2,
    Expired = 3,
    /// <summary>Not a certificate in a known format.</summary>
    Malformed = 4,
    /// <summary>The signature does not match (tampered, or signed by another key).</summary>
    BadSignature = 5,
    /// <summary>Signed, but for another device/user or another CAL type.</summary>
    WrongSubject = 6,
    /// <summary>The CAL's version cannot serve this session host (R13).</summary>
    VersionIncompatible = 7,
    Revoked = 8,
}

/// <summary>A presented certificate after checking; <see cref="Certificate"/> is set once the signature verified.</summary>
public readonly record struct CertificateCheck(CertificateCheckStatus Status, CalCertificate? Certificate)
{
    public static CertificateCheck NotPresented => default;

    /// <summary>Whether the certificate licenses the connection now (Valid or RenewalDue).</summary>
    public bool IsUsable => Status is CertificateCheckStatus.Valid or CertificateCheckStatus.RenewalDue;

    /// <summary>Signature or subject failure: the bytes cannot be trusted for this client.</summary>
    public bool IsInvalid => Status is CertificateCheckStatus.Malformed or CertificateCheckStatus.BadSignature or CertificateCheckStatus.WrongSubject;
}

/// <summary>Who the connecting client should be, to check a certificate against.</summary>
public readonly record struct CertificateExpectation(CalType Type, string Subject, ProductVersion HostVersion);

/// <summary>Port: whether a license id has been revoked (the gateway keeps this list from the license server).</summary>
public interface IRevocationList
{
    bool IsRevoked(Guid licenseId);
}
