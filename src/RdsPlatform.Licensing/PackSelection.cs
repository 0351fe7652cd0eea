namespace RdsPlatform.Licensing;

/// <summary>R13: which installed pack a new CAL is drawn from.</summary>
public static class PackSelection
{
    /// <summary>
    /// The pack of <paramref name="type"/> with a free seat whose version is the lowest that serves <paramref name="hostVersion"/>
    /// (only exactly <paramref name="hostVersion"/> when <paramref name="preventUpgrade"/>); ties go to the oldest installation.
    /// Null when no pack qualifies.
    /// </summary>
    public static KeyPackSnapshot? Choose(
        IReadOnlyList<KeyPackSnapshot> packs,
        CalType type,
        ProductVersion hostVersion,
        bool preventUpgrade,
        Func<ProductVersion, bool>? versionAllowed = null)
    {
        ArgumentNullException.ThrowIfNull(packs);
        KeyPackSnapshot? best = null;
        foreach (var pack in packs)
        {
            if (pack.CalType != type || pack.Free <= 0)
            {
                continue;
            }

            var fits = preventUpgrade ? pack.Version == hostVersion : VersionCompatibility.CalServesHost(pack.Version, hostVersion);
            if (!fits || (versionAllowed is not null && !versionAllowed(pack.Version)))
            {
                continue;
            }

            if (best is null
                || pack.Version < best.Version
                || (pack.Version == best.Version && (pack.InstalledAt, pack.Id).CompareTo((best.InstalledAt, best.Id)) < 0))
            {
                best = pack;
            }
        }

        return best;
    }
}
