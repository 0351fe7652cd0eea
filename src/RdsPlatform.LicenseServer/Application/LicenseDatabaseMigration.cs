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
        // Said before the wait: a schema step that rewrites the CALs (step 5 rekeys them by license id) takes about 16 s
        // per million on SQLite, and the service answers nothing until it is done.
        LogMigrating();
        var started = time.GetTimestamp();
        await schema.MigrateAsync(CreateIdentity, cancellationToken);
        var server = await reader.GetServerAsync(cancellationToken);
        identity.Load(server);
        LogReady(server.ServerId, time.GetElapsedTime(started).TotalSeconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private ServerRecord CreateIdentity()
    {
        using var signer = CalCertificateSigner.Create();
        return new ServerRecord(Guid.NewGuid(), signer.ExportPkcs8PrivateKey(), time.GetUtcNow(), ActivationState.Initial);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Opening the license database and applying its pending schema steps; on a large database an upgrade can take a while (about 16 s per million CALs) before the service answers")]
    private partial void LogMigrating();

    [LoggerMessage(Level = LogLevel.Information, Message = "License database ready after {Seconds:0.0} s; license server {ServerId}")]
    private partial void LogReady(Guid serverId, double seconds);
}
