using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.Reliability.Tests;

/// <summary>What the license server's store must look like after any fault: every promise kept, counts and audit trail agreeing.</summary>
public static class StoreConsistency
{
    public sealed record Summary(int Acknowledged, int AcknowledgedPermanent, int Stored, int StoredPermanent, int IssuedEvents, int UpgradedEvents, int PackIssued, int PackTotal);

    public static async Task<Summary> AssertConsistentAsync(ProcessFarm farm, Ledger ledger, KeyPack pack)
    {
        var stored = (await farm.IssuedAsync()).ToDictionary(l => l.LicenseId);
        var acknowledged = ledger.Acknowledged;
        foreach (var promise in acknowledged)
        {
            Assert.True(stored.TryGetValue(promise.LicenseId, out var license), $"CAL {promise.LicenseId} of {promise.Subject} was acknowledged but is gone.");
            Assert.Equal(promise.Subject, license.Subject);
            Assert.True(promise.Status != CalStatus.Permanent || license.Status == CalStatus.Permanent, $"{promise.Subject} was told permanent, the store says {license.Status}.");
            Assert.True(!promise.Validated || license.Validated, $"{promise.Subject} was told validated, the store says not.");
        }

        // One CAL per device, one LICENSE_ISSUED per CAL, one LICENSE_UPGRADED per permanent CAL.
        Assert.Equal(stored.Count, stored.Values.Select(l => l.Subject).Distinct().Count());
        var issuedEvents = await farm.AuditAsync(AuditEventType.LicenseIssued);
        Assert.Equal(stored.Keys.Order(), issuedEvents.Select(e => e.LicenseId).Order());
        var upgradeEvents = await farm.AuditAsync(AuditEventType.LicenseUpgraded);
        var permanent = stored.Values.Where(l => l.Status == CalStatus.Permanent).ToList();
        Assert.Equal(permanent.Select(l => l.LicenseId).Order(), upgradeEvents.Select(e => e.LicenseId).Order());

        // The pack's issued count is the number of CALs holding its seats, never more than installed (R7).
        var packAfter = (await farm.LicenseAdmin.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks.Single(p => p.KeyPackId == pack.KeyPackId);
        Assert.InRange(packAfter.Issued, 0, packAfter.Total);
        Assert.Equal(permanent.Count(l => l.KeyPackId == pack.KeyPackId), packAfter.Issued);
        Assert.Equal(packAfter.Total - packAfter.Issued, packAfter.Available);

        return new Summary(acknowledged.Count, acknowledged.Count(a => a.Status == CalStatus.Permanent), stored.Count, permanent.Count,
            issuedEvents.Count, upgradeEvents.Count, packAfter.Issued, packAfter.Total);
    }
}
