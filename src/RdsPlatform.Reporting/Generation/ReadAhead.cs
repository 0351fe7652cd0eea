using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace RdsPlatform.Reporting.Generation;

/// <summary>
/// A source read on another task a few items ahead of its consumer, so that producing the next items (receiving and
/// framing the license server's pages, reading a stored report's pages) overlaps with the consumer's work on the last.
/// </summary>
public static class ReadAhead
{
    /// <summary>The items of <paramref name="source"/>, read at most <paramref name="ahead"/> ahead of the caller.</summary>
    public static IAsyncEnumerable<T> Of<T>(int ahead, Func<CancellationToken, IAsyncEnumerable<T>> source, CancellationToken cancellationToken) =>
        Of<T>(ahead, async (items, stop) =>
        {
            await foreach (var item in source(stop).WithCancellation(stop))
            {
                await items.WriteAsync(item, stop);
            }
        }, cancellationToken);

    /// <summary>What <paramref name="pump"/> writes, read on another task at most <paramref name="ahead"/> items ahead of the caller.</summary>
    public static async IAsyncEnumerable<T> Of<T>(int ahead, Func<ChannelWriter<T>, CancellationToken, Task> pump,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var buffer = Channel.CreateBounded<T>(new BoundedChannelOptions(ahead) { SingleReader = true, SingleWriter = true });
        var pumping = Task.Run(async () =>
        {
            try
            {
                await pump(buffer.Writer, stop.Token);
                buffer.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                buffer.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);

        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await buffer.Reader.WaitToReadAsync(cancellationToken);
                }
                catch (ChannelClosedException ex) when (ex.InnerException is not null)
                {
                    // The source's own failure (an RpcException, a SqliteException), as the caller would have seen it reading directly.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                    throw;
                }

                if (!more)
                {
                    yield break;
                }

                while (buffer.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            // The caller stopped early or failed: end the source (a call, a query), and let the pump finish before it is disposed.
            await stop.CancelAsync();
            await pumping;
        }
    }
}
