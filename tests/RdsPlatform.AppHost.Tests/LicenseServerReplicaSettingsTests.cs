using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost.Tests;

/// <summary>
/// With the license server's PostgreSQL store in the <c>licensing</c> database, <c>Replicas:LicenseServer</c> above one
/// is accepted on PostgreSQL: the replicas are one license server on one pool.
/// </summary>
public sealed class LicenseServerReplicaSettingsTests
{
    [Fact]
    public async Task OnPostgresTheLicenseServerGetsTheReplicasAskedForOnItsLicensingDatabase()
    {
        var builder = await AppHostTopology.CreateBuilderAsync(
            ["--Cache:Mode=garnet", "--Database:Mode=external", "--ConnectionStrings:postgres=Host=127.0.0.1;Database=rds", "--Replicas:LicenseServer=3"]);
        await using var app = await builder.BuildAsync();
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();

        var licenseServer = model.Resources.Single(r => r.Name == ResourceNames.LicenseServer);
        Assert.True(licenseServer.TryGetLastAnnotation<ReplicaAnnotation>(out var replicas));
        Assert.Equal(3, replicas.Replicas);
    }
}
