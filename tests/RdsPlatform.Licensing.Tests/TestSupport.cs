using Microsoft.Extensions.Time.Testing;

namespace RdsPlatform.Licensing.Tests;

/// <summary>Shared instants and builders; all tests run on a fixed start time.</summary>
internal static class At
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset Day(double days) => T0 + TimeSpan.FromDays(days);

    public static FakeTimeProvider Clock() => new(T0);
}

/// <summary>A license server store kept in memory: loads snapshots and applies outcomes the way a SQL store would, in one "transaction".</summary>
internal sealed class LicenseServerSimulator(bool activated = true)
{
    private readonly List<KeyPackEntry> _packs = [];
    private int _nextId;

    public bool Activated { get; set; } = activated;

    public Dictionary<Guid, IssuedCal> Cals { get; } = [];

    public List<IssuanceOutcome> Outcomes { get; } = [];

    public IReadOnlyList<KeyPackEntry> Packs => _packs;

    public Guid AddPack(ProductVersion version, CalType type, int installed, DateTimeOffset at)
    {
        var id = NextGuid();
        _packs.Add(new KeyPackEntry(id, version, type, installed, at));
        return id;
    }

    public IReadOnlyList<KeyPackSnapshot> PackSnapshots(DateTimeOffset now) =>
        _packs.Select(p => new KeyPackSnapshot(p.Id, p.Version, p.Type, p.Installed, Occupied(p.Id, now), p.InstalledAt)).ToList();

    public int Occupied(Guid packId, DateTimeOffset now) => Cals.Values.Count(c => c.KeyPackId == packId && c.HoldsSeatAt(now));

    public IssuanceOutcome Request(CalType type, string subject, ProductVersion host, DateTimeOffset now, Random random, bool preventUpgrade = false)
    {
        var snapshot = new IssuanceSnapshot(Activated, PackSnapshots(now), Cals.Values.Where(c => c.Type == type && c.Subject == subject).ToList());
        var outcome = IssuancePolicy.Decide(snapshot, new LicenseRequest(type, subject, host, preventUpgrade), now, random, NextGuid);
        Apply(outcome);
        return outcome;
    }

    /// <summary>RenewLicense as the license server runs it: a Per User CAL is renewed with the server's Per User pool at hand.</summary>
    public IssuanceOutcome Renew(Guid licenseId, DateTimeOffset now, Random random)
    {
        var cal = Cals[licenseId];
        var pool = cal.Type == CalType.PerUser ? new IssuanceSnapshot(Activated, PackSnapshots(now), [cal]) : null;
        var outcome = IssuancePolicy.Renew(cal, now, random, pool);
        Apply(outcome);
        return outcome;
    }

    public IssuanceOutcome Validate(Guid licenseId)
    {
        var outcome = IssuancePolicy.MarkValidated(Cals[licenseId]);
        Apply(outcome);
        return outcome;
    }

    public RevocationSnapshot RevocationSnapshot(ProductVersion version) => new(
        _packs.Where(p => p.Type == CalType.PerDevice && p.Version == version).Sum(p => p.Installed),
        Cals.Values.Where(c => c.Type == CalType.PerDevice && c.Version == version && c.Status == CalStatus.Revoked).Select(c => c.ExpiresAt).ToList());

    public RevocationOutcome Revoke(Guid licenseId, DateTimeOffset now)
    {
        var cal = Cals[licenseId];
        var outcome = RevocationPolicy.Revoke(cal, RevocationSnapshot(cal.Version), now);
        if (outcome.Allowed)
        {
            Cals[licenseId] = outcome.Revoked!;
        }

        return outcome;
    }

    private void Apply(IssuanceOutcome outcome)
    {
        Outcomes.Add(outcome);
        switch (outcome.Kind)
        {
            case IssuanceKind.Issue:
                Assert.False(Cals.ContainsKey(outcome.Cal!.LicenseId), "Issue must create a new license id.");
                Cals.Add(outcome.Cal.LicenseId, outcome.Cal);
                break;
            case IssuanceKind.Update:
                Assert.True(Cals.ContainsKey(outcome.Cal!.LicenseId), "Update must target a stored license.");
                Cals[outcome.Cal.LicenseId] = outcome.Cal;
                break;
        }
    }

    private Guid NextGuid() => new(++_nextId, 0, 0, new byte[8]);

    public sealed record KeyPackEntry(Guid Id, ProductVersion Version, CalType Type, int Installed, DateTimeOffset InstalledAt);
}
