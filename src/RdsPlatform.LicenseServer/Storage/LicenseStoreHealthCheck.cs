using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>Healthy when the license database answers a read.</summary>
public sealed class LicenseStoreHealthCheck(ILicenseReader store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.CheckAsync(cancellationToken);
            return HealthCheckResult.Healthy("The license database answers.");
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or IOException)
        {
            return HealthCheckResult.Unhealthy("The license database cannot be read.", ex);
        }
    }
}
