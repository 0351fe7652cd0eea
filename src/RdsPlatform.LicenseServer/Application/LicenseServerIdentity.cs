using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>
/// The server id and signing key, created once at first start and kept in the database; loaded once per process.
/// Every operation awaits <see cref="GetAsync"/>, so a request arriving before start-up finished still sees a ready store.
/// </summary>
public sealed class LicenseServerIdentity(ILicenseStore store, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Loaded? _loaded;

    public sealed record Loaded(Guid ServerId, CalCertificateSigner Signer);

    public async ValueTask<Loaded> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _loaded) is { } loaded)
        {
            return loaded;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_loaded is null)
            {
                await store.InitializeAsync(CreateIdentity, cancellationToken);
                var server = await store.GetServerAsync(cancellationToken);
                Volatile.Write(ref _loaded, new Loaded(server.ServerId, CalCertificateSigner.FromPkcs8PrivateKey(server.SigningKey)));
            }

            return _loaded!;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _loaded?.Signer.Dispose();
        _gate.Dispose();
    }

    private ServerRecord CreateIdentity()
    {
        using var signer = CalCertificateSigner.Create();
        return new ServerRecord(Guid.NewGuid(), signer.ExportPkcs8PrivateKey(), time.GetUtcNow(), ActivationState.Initial);
    }
}
