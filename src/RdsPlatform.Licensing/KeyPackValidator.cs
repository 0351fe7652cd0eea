namespace RdsPlatform.Licensing;

/// <summary>R14/R16: validates a key pack installation field by field; never throws for bad input.</summary>
public static class KeyPackValidator
{
    /// <summary>A sane ceiling on one pack's count.</summary>
    public const int MaxCount = 1_000_000;

    public const int RetailCodeLength = 25;
    public const int LicenseNumberLength = 8;
    public const int AuthorizationNumberLength = 15;
    public const int AgreementNumberLength = 7;

    /// <summary>Returns all violations of <paramref name="request"/> on a license server of <paramref name="serverVersion"/>.</summary>
    public static KeyPackValidation Validate(KeyPackRequest? request, ProductVersion serverVersion)
    {
        if (request is null)
        {
            return new([new FieldViolation(KeyPackFields.Program, "A key pack installation request is required.")], null, ReasonCode.InvalidInput);
        }

        var violations = new List<FieldViolation>();
        var versionHosted = true;

        if (!VersionCompatibility.IsKnown(request.Version))
        {
            violations.Add(new(KeyPackFields.Version, "Choose the product version of the CALs: Windows Server 2016, 2019, 2022 or 2025."));
        }
        else if (!VersionCompatibility.ServerHostsPack(serverVersion, request.Version))
        {
            versionHosted = false;
            violations.Add(new(KeyPackFields.Version,
                $"A {VersionCompatibility.ServerName(serverVersion)} license server can host CALs up to {VersionCompatibility.CalName(serverVersion)} only; " +
                $"{VersionCompatibility.CalName(request.Version)} CALs need a {VersionCompatibility.ServerName(request.Version)} license server or later."));
        }

        if (!Enum.IsDefined(request.CalType))
        {
            violations.Add(new(KeyPackFields.CalType, "Choose the CAL type: Per Device or Per User."));
        }

        if (request.Count is < 1 or > MaxCount)
        {
            violations.Add(new(KeyPackFields.Count, $"The number of licenses must be between 1 and {MaxCount:N0}."));
        }

        var code = ProgramCode(request, violations);
        if (violations.Count == 0)
        {
            return new(violations, code, null);
        }

        var onlyVersion = !versionHosted && violations.Count == 1;
        return new(violations, null, onlyVersion ? ReasonCode.VersionNotHosted : ReasonCode.InvalidInput);
    }

    /// <summary>The pack's identity from its program's codes (installed once), or null with the violations of those fields.</summary>
    private static string? ProgramCode(KeyPackRequest request, List<FieldViolation> violations) => request.Program switch
    {
        KeyPackProgram.Retail => RetailCode(request, violations),
        KeyPackProgram.OpenLicense => OpenLicenseCode(request, violations),
        KeyPackProgram.Agreement => AgreementCode(request, violations),
        _ => Refused(violations, new(KeyPackFields.Program, "Choose the license program: Retail, Open License or Agreement.")),
    };

    private static string? RetailCode(KeyPackRequest request, List<FieldViolation> violations) => NormalizeRetailCode(request.RetailCode) is { } retail
        ? $"RETAIL:{retail}"
        : Refused(violations, new(KeyPackFields.RetailCode,
            "The license code must be 25 letters or digits, in five groups of five, with or without dashes (XXXXX-XXXXX-XXXXX-XXXXX-XXXXX)."));

    private static string? OpenLicenseCode(KeyPackRequest request, List<FieldViolation> violations)
    {
        var license = request.LicenseNumber?.Trim();
        var authorization = request.AuthorizationNumber?.Trim().ToUpperInvariant();
        var licenseOk = Required(IsDigits(license, LicenseNumberLength), violations,
            new(KeyPackFields.OpenLicenseNumber, "The Open License number must be exactly 8 digits."));
        var authorizationOk = Required(IsAlphanumeric(authorization, AuthorizationNumberLength), violations,
            new(KeyPackFields.AuthorizationNumber, "The authorization number must be exactly 15 letters or digits."));
        return licenseOk && authorizationOk ? $"OPEN:{license}:{authorization}:{(int)request.Version}:{request.CalType}" : null;
    }

    private static string? AgreementCode(KeyPackRequest request, List<FieldViolation> violations)
    {
        var typeOk = Required(request.AgreementType is { } type && Enum.IsDefined(type), violations,
            new(KeyPackFields.AgreementType, "Choose the agreement type: Select, Enterprise, Campus, School, SPLA or Other."));
        var number = request.AgreementNumber?.Trim();
        var numberOk = Required(IsDigits(number, AgreementNumberLength), violations,
            new(KeyPackFields.AgreementNumber, "The agreement number must be exactly 7 digits."));
        return typeOk && numberOk ? $"AGREEMENT:{request.AgreementType}:{number}:{(int)request.Version}:{request.CalType}" : null;
    }

    private static string? Refused(List<FieldViolation> violations, FieldViolation violation)
    {
        violations.Add(violation);
        return null;
    }

    /// <summary>Adds <paramref name="violation"/> unless <paramref name="ok"/>; returns <paramref name="ok"/>.</summary>
    private static bool Required(bool ok, List<FieldViolation> violations, FieldViolation violation)
    {
        if (!ok)
        {
            violations.Add(violation);
        }

        return ok;
    }

    /// <summary>The canonical dashed upper-case form of a retail code, or null when it is not 25 alphanumerics in 5 groups of 5.</summary>
    public static string? NormalizeRetailCode(string? code)
    {
        if (code is null)
        {
            return null;
        }

        var text = code.Trim();
        Span<char> chars = stackalloc char[RetailCodeLength];
        if (text.Length == RetailCodeLength)
        {
            for (var i = 0; i < RetailCodeLength; i++)
            {
                if (!char.IsAsciiLetterOrDigit(text[i]))
                {
                    return null;
                }

                chars[i] = char.ToUpperInvariant(text[i]);
            }
        }
        else if (text.Length == RetailCodeLength + 4)
        {
            var n = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var dashPosition = i % 6 == 5;
                if (dashPosition != (text[i] == '-'))
                {
                    return null;
                }

                if (dashPosition)
                {
                    continue;
                }

                if (!char.IsAsciiLetterOrDigit(text[i]))
                {
                    return null;
                }

                chars[n++] = char.ToUpperInvariant(text[i]);
            }
        }
        else
        {
            return null;
        }

        return $"{chars[..5]}-{chars[5..10]}-{chars[10..15]}-{chars[15..20]}-{chars[20..25]}";
    }

    private static bool IsDigits(string? text, int length)
    {
        if (text is null || text.Length != length)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAlphanumeric(string? text, int length)
    {
        if (text is null || text.Length != length)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The outcome of removing licenses from, or uninstalling, a key pack (R16).</summary>
/// <param name="Installed">The pack's installed count after the change (unchanged when refused).</param>
public sealed record KeyPackChange(bool Allowed, ReasonCode Reason, string Message, int Installed);

/// <summary>R16: removing unissued licenses by count, and uninstalling an empty pack.</summary>
public static class KeyPackRules
{
    /// <summary>Remove <paramref name="count"/> unissued licenses; refused when fewer are free (issued CALs are never taken away).</summary>
    public static KeyPackChange RemoveLicenses(KeyPackSnapshot pack, int count)
    {
        ArgumentNullException.ThrowIfNull(pack);
        if (count < 1 || count > KeyPackValidator.MaxCount)
        {
            return new(false, ReasonCode.InvalidInput, $"The number of licenses to remove must be between 1 and {KeyPackValidator.MaxCount:N0}.", pack.Installed);
        }

        if (count > pack.Free)
        {
            return new(false, ReasonCode.LicensesInUse,
                $"Only {pack.Free} of the {pack.Installed} licenses in this key pack are unissued; {count} cannot be removed.", pack.Installed);
        }

        return new(true, ReasonCode.LicensesRemoved, $"Removed {count} unissued licenses; {pack.Installed - count} remain installed.", pack.Installed - count);
    }

    /// <summary>Uninstall a pack; refused while any of its CALs still holds a seat.</summary>
    public static KeyPackChange Uninstall(KeyPackSnapshot pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        return pack.Occupied > 0
            ? new(false, ReasonCode.LicensesInUse, $"The key pack still has {pack.Occupied} issued licenses; it can be uninstalled once none are issued.", pack.Installed)
            : new(true, ReasonCode.KeyPackUninstalled, "The key pack was uninstalled.", 0);
    }
}
