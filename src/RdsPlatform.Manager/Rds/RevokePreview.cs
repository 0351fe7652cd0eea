using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Licensing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.Manager.Rds;

/// <summary>
/// What revoking a Per Device CAL of a version would leave, shown before the administrator confirms: the same 20% rule
/// (R8) the license server applies, over the installed packs and the revoked CALs the contract lists. The license
/// server still decides; its answer is shown after the revoke.
/// </summary>
public static class RevokePreview
{
    public static async Task<RevocationQuota> QuotaAsync(LicenseServerClient licenseServer, Contracts.Common.V1.ProductVersion version,
        DateTimeOffset now, CallOptions call)
    {
        var packs = await licenseServer.ListKeyPacksAsync(new ListKeyPacksRequest(), call);
        var installed = packs.KeyPacks.Where(p => p.CalType == Contracts.Common.V1.CalType.PerDevice && p.ProductVersion == version).Sum(p => p.Total);
        var revokedExpiries = new List<DateTimeOffset>();
        using var revoked = licenseServer.ListIssuedLicenses(new ListIssuedLicensesRequest
        {
            CalType = Contracts.Common.V1.CalType.PerDevice,
            ProductVersion = version,
            Status = Contracts.Common.V1.CalStatus.Revoked,
        }, call);
        while (await revoked.ResponseStream.MoveNext(call.CancellationToken))
        {
            revokedExpiries.Add(revoked.ResponseStream.Current.ExpiresAt.ToDateTimeOffset());
        }

        return RevocationPolicy.Quota(new RevocationSnapshot(installed, revokedExpiries), now);
    }

    /// <summary>The allowance as a sentence, before the revoke: this one is counted already.</summary>
    public static string Describe(RevocationQuota quota) => quota switch
    {
        { Cap: 0 } => "No Per Device CAL of this version can be revoked: fewer than 5 are installed (the cap is 20% of them).",
        { Remaining: > 0 } => $"{quota.Remaining} of {quota.Cap} revocations allowed for this version now; after this one, {quota.Remaining - 1} remain.",
        _ => $"All {quota.Cap} revocations of this version are in use; the next is allowed on {quota.NextRevokeAllowedAt:yyyy-MM-dd HH:mm} UTC.",
    };
}
