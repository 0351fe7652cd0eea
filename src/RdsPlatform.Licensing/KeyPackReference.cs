namespace RdsPlatform.Licensing;

/// <summary>The reference a key pack is listed under: its code or number, masked, since a retail code is a secret that installs CALs.</summary>
public static class KeyPackReference
{
    /// <summary>Characters left readable at the end of the code or number.</summary>
    public const int Visible = 4;

    /// <summary>The code or number of <paramref name="request"/>, every character but the last <see cref="Visible"/> (and dashes) starred.</summary>
    public static string Masked(KeyPackRequest request)
    {
        var code = request.Program switch
        {
            KeyPackProgram.Retail => KeyPackValidator.NormalizeRetailCode(request.RetailCode) ?? "",
            KeyPackProgram.OpenLicense => request.LicenseNumber?.Trim() ?? "",
            _ => request.AgreementNumber?.Trim() ?? "",
        };
        return code.Length <= Visible
            ? code
            : string.Concat(code[..^Visible].Select(c => c == '-' ? '-' : '*')) + code[^Visible..];
    }
}
