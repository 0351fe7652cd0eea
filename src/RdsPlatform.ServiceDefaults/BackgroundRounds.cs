namespace RdsPlatform.ServiceDefaults;

/// <summary>
/// The rule of every background loop (sweeps, monitors, feeds, dispatchers): a failure ends one round and is logged, the
/// next round runs; only the host stopping ends the loop. By .NET's default a background service that throws stops the
/// whole host, so a loop that let a timed-out call or an unexpected error through took its service down with it.
/// </summary>
public static class BackgroundRounds
{
    /// <summary>
    /// True for any failure of a round, a call cancelled by its own timeout included; false only for the cancellation
    /// of the host stopping, which ends the loop.
    /// </summary>
    public static bool FailsOnlyTheRound(this Exception exception, CancellationToken stoppingToken) =>
        exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested;
}
