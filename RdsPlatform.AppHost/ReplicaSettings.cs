using Microsoft.Extensions.Configuration;

namespace RdsPlatform.AppHost;

/// <summary>
/// How many processes of each service the topology runs (<c>Replicas:LicenseServer</c>, <c>Replicas:SessionHost</c>,
/// <c>Replicas:Reporting</c>, default 1), checked before anything starts. Replicas share a service's state only through
/// its PostgreSQL database, so more than one needs a <c>Database:Mode</c> other than sqlite, and a service whose
/// PostgreSQL store does not exist yet stays at one.
/// </summary>
public sealed record ReplicaSettings(int LicenseServer, int SessionHost, int Reporting)
{
    public const string SectionName = "Replicas";

    /// <summary>More would not fit the 2-core machines this runs on, and a typo of 100 should not start 100 processes.</summary>
    public const int Most = 8;

    /// <summary>The settings, each 1 when not set; a value that cannot work stops the AppHost with one sentence per setting.</summary>
    /// <param name="databaseMode">The <c>Database:Mode</c> in force (sqlite, postgres, external or container).</param>
    /// <param name="postgresDatabases">The services' databases that have a PostgreSQL store (a service without one cannot have replicas).</param>
    public static ReplicaSettings From(IConfiguration configuration, string databaseMode, IReadOnlyCollection<string> postgresDatabases)
    {
        var problems = new List<string>();
        var licenseServer = Read(configuration, nameof(LicenseServer), problems);
        var sessionHost = Read(configuration, nameof(SessionHost), problems);
        var reporting = Read(configuration, nameof(Reporting), problems);
        foreach (var (key, count) in new[] { (nameof(LicenseServer), licenseServer), (nameof(SessionHost), sessionHost), (nameof(Reporting), reporting) })
        {
            if (count > 1 && databaseMode == "sqlite")
            {
                problems.Add($"{SectionName}:{key} is {count} but Database:Mode is sqlite: replicas share the service's state only through " +
                    $"PostgreSQL, so set Database:Mode to postgres, external or container, or {SectionName}:{key} to 1.");
            }
        }

        if (licenseServer > 1 && databaseMode != "sqlite" && !postgresDatabases.Contains("licensing"))
        {
            problems.Add($"{SectionName}:LicenseServer is {licenseServer} but the license server has no PostgreSQL store yet (it stays on its " +
                $"SQLite file under every Database:Mode), so its replicas would each hold their own pool: set {SectionName}:LicenseServer to 1.");
        }

        return problems.Count > 0
            ? throw new InvalidOperationException("The AppHost's replica settings cannot work: " + string.Join(" ", problems))
            : new ReplicaSettings(licenseServer, sessionHost, reporting);
    }

    private static int Read(IConfiguration configuration, string key, List<string> problems)
    {
        var text = configuration[$"{SectionName}:{key}"]?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return 1;
        }

        if (int.TryParse(text, out var count) && count is >= 1 and <= Most)
        {
            return count;
        }

        problems.Add($"{SectionName}:{key} is '{text}'; set it to a whole number of processes from 1 to {Most}.");
        return 1;
    }
}

public static class ReplicaSettingsExtensions
{
    /// <summary>
    /// Runs <paramref name="count"/> processes of the service (Aspire's WithReplicas; the dashboard lists each). Its
    /// endpoints stay on their fixed ports: DCP's proxy listens there and spreads connections over the replicas, each of
    /// which listens on a port DCP allocates to it.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithRdsReplicas(this IResourceBuilder<ProjectResource> project, int count) =>
        count > 1 ? project.WithReplicas(count) : project;
}
