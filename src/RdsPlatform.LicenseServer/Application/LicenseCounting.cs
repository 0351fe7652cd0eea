namespace RdsPlatform.LicenseServer.Application;

/// <summary>How many unexpired CALs share a CAL type, version, shown status and (Per User) domain.</summary>
public sealed record LicenseCount(CalType Type, ProductVersion Version, CalStatus Status, string UserDomain, long Count);

/// <summary>An engine that counts in one query of its own (SQLite's GROUP BY) what <see cref="LicenseCounting"/> would count by reading every CAL.</summary>
public interface ILicenseCountReader
{
    /// <summary>The unexpired CALs (expiry after <paramref name="now"/>) of each of <paramref name="statuses"/>, grouped as <see cref="LicenseCount"/>.</summary>
    Task<IReadOnlyList<LicenseCount>> CountLicensesAsync(IReadOnlyCollection<CalStatus> statuses, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// Counts issued CALs by group inside the license server, so a farm summary travels as a few rows instead of one
/// message per CAL. It reads the same filtered listing as ListIssuedLicenses (any engine), so the counts are exactly
/// what a client counting that stream would get at the same instant. An engine with its own count query
/// (<see cref="ILicenseCountReader"/>) answers instead, without reading the CALs one by one.
/// </summary>
public static class LicenseCounting
{
    public static async Task<IReadOnlyList<LicenseCount>> CountAsync(ILicenseReader reader, ILicenseCountReader? counter,
        IReadOnlyCollection<CalStatus> statuses, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (counter is not null)
        {
            return await counter.CountLicensesAsync(statuses, now, cancellationToken);
        }

        var counts = new Dictionary<(CalType, ProductVersion, CalStatus, string), long>();
        foreach (var status in statuses.Distinct())
        {
            await foreach (var license in reader.StreamLicensesAsync(new LicenseQuery(now, Status: status), cancellationToken))
            {
                var key = (license.Cal.Type, license.Cal.Version, status, DomainOf(license));
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        return counts.Select(c => new LicenseCount(c.Key.Item1, c.Key.Item2, c.Key.Item3, c.Key.Item4, c.Value)).ToList();
    }

    /// <summary>A Per User CAL's domain as the listing shows it (the stored user, else the subject's domain); empty for a device.</summary>
    public static string DomainOf(LicenseRecord license) =>
        license.Cal.Type != CalType.PerUser ? ""
        : !string.IsNullOrEmpty(license.UserName) ? license.UserDomain ?? ""
        : CalSubject.Parse(CalType.PerUser, license.Cal.Subject).Domain;
}
