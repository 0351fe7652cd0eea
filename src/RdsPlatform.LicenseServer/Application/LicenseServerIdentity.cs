using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>
/// The server id and signing key, created once at first start and kept in the database; loaded by the start-up step
/// (<see cref="LicenseDatabaseMigration"/>) before the server accepts calls.
/// </summary>
public sealed class LicenseServerIdentity : IDisposable
{
    private readonly TaskCompletionSource<Loaded> _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public sealed record Loaded(Guid ServerId, CalCertificateSigner Signer);

    /// <summary>The identity loaded at start-up; calls are accepted only after it, so a miss is a start-up bug.</summary>
    public Loaded Current => _loaded.Task.IsCompletedSuccessfully
        ? _loaded.Task.Result
        : throw new InvalidOperationException("The license server identity is not loaded: the database start-up step has not run.");

    /// <summary>The identity once the start-up step loaded it, for background services that may start alongside it.</summary>
    public async ValueTask<Loaded> GetAsync(CancellationToken cancellationToken) => await _loaded.Task.WaitAsync(cancellationToken);

    internal void Load(ServerRecord server)
    {
        var loaded = new Loaded(server.ServerId, CalCertificateSigner.FromPkcs8PrivateKey(server.SigningKey));
        if (!_loaded.TrySetResult(loaded))
        {
            loaded.Signer.Dispose();
        }
    }

    public void Dispose()
    {
        if (_loaded.Task.IsCompletedSuccessfully)
        {
            _loaded.Task.Result.Signer.Dispose();
        }
    }
}
