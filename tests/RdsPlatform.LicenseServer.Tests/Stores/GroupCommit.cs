using RdsPlatform.LicenseServer.Storage;
using Core = RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Tests.Stores;

/// <summary>
/// Queues writes behind one that holds the writer, so they are committed as one group: a failing one, two that succeed and
/// one cancelled while queued. A write's after-commit action runs once its transaction committed, so the first kept
/// write's action seeing the second one's body already run shows both were in one transaction.
/// </summary>
internal static class GroupCommit
{
    public sealed record Outcome(int First, Exception Failure, int Succeeding, bool CancelledRan, bool LaterWriteRanBeforeTheCommit);

    public static async Task<Outcome> RunAsync(ILicenseStore store, DateTimeOffset now)
    {
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = store.WriteAsync(session =>
        {
            holding.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            session.InsertLicense(License("group-first", now));
            return 1;
        }, CancellationToken.None);
        Assert.True(holding.Wait(TimeSpan.FromSeconds(30)));

        var failing = store.WriteAsync<int>(session =>
        {
            session.InsertLicense(License("group-rolled-back", now));
            throw new InvalidOperationException("This write fails after its insert.");
        }, CancellationToken.None);
        var laterRan = false;
        var laterRanBeforeCommit = false;
        var succeeding = store.WriteAsync(session =>
        {
            session.InsertLicense(License("group-kept", now));
            session.AfterCommit(() => laterRanBeforeCommit = Volatile.Read(ref laterRan));
            return 2;
        }, CancellationToken.None);
        var later = store.WriteAsync(session =>
        {
            session.InsertLicense(License("group-kept-2", now));
            Volatile.Write(ref laterRan, true);
            return 3;
        }, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelledRan = false;
        var cancelled = store.WriteAsync(session =>
        {
            cancelledRan = true;
            session.InsertLicense(License("group-cancelled", now));
            return 4;
        }, cancel.Token);
        await cancel.CancelAsync();
        release.Set();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(3, await later);
        return new Outcome(await first, failure, await succeeding, cancelledRan, laterRanBeforeCommit);
    }

    private static LicenseRecord License(string subject, DateTimeOffset now) => new(
        new Core.IssuedCal(Guid.CreateVersion7(now), Core.CalType.PerDevice, Core.ProductVersion.WindowsServer2022, subject, Core.CalStatus.Temporary,
            null, now, now.AddDays(90)),
        "PC-" + subject, null, null, "host-group");
}
