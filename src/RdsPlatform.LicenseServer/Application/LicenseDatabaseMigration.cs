using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>
/// Start-up step (as eShop's MigrateDbContextExtensions): creates or migrates the license database, stores a new identity
/// on first start and loads it, before the server accepts calls (hosted services start before Kestrel), so a bad file
/// fails the start, not a call. Registered before every other hosted service of the license server.
/// </summary>
public sealed partial class LicenseDatabaseMigration(
    ILicenseSchema schema,
    ILicenseReader reader,
    LicenseServerIdentity identity,
    TimeProvider time,
    ILogger<LicenseDatabaseMigration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await schema.MigrateAsync(CreateIdentity, cancellationToken);
        var server = await reader.GetServerAsync(cancellationToken);
        identity.Load(server);
        LogReady(server.ServerId);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private ServerRecord CreateIdentity()
    {
        using var signer = CalCertificateSigner.Create();
        return new ServerRecord(Guid.NewGuid(), signer.ExportPkcs8PrivateKey(), time.GetUtcNow(), ActivationState.Initial);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "License database ready; license server {ServerId}")]
    private partial void LogReady(Guid serverId);
}
