using GraphQL;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Feeds;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Gateway.GraphQL;

/// <summary>
/// Subscription fields over a change feed (<c>matchEvents</c>; <c>alertRaised</c> the same way): the
/// <c>after</c> argument, the reading-role check, and the events the caller's base query lets through.
/// </summary>
internal static class FeedStreams
{
    /// <summary>The argument every feed subscription takes.</summary>
    public const string AfterArgument = "after";

    /// <summary>
    /// The source stream of a feed subscription: the entries of <paramref name="feed"/> (its table's name) that
    /// <paramref name="visible"/> yields for the caller, after the <c>after</c> cursor or from now. Refuses callers
    /// whose role may not read and cursors this hub did not give out before anything is read.
    /// </summary>
    public static async Task<IObservable<object?>> SubscribeFeedAsync<T>(
        this IResolveFieldContext context,
        string feed,
        Func<HubDbContext, HubPrincipal, AgencyKind?, IQueryable<T>> visible)
        where T : class, IFeedEntry
    {
        var hub = context.Hub();
        await hub.EnsureMayReadAsync(context.CancellationToken);
        FeedCursor? after = null;
        if (context.GetArgument<string?>(AfterArgument) is { } text)
        {
            after = FeedCursor.TryDecode(text, out var cursor)
                ? cursor
                : throw HubError.Validation($"'{AfterArgument}' is not a cursor this API gave out.");
        }
        var principal = hub.Principal;
        var kind = await hub.ReaderKindAsync(context.CancellationToken);
        var reader = context.RequestServices!.GetRequiredService<FeedReader>();
        return new AsyncEnumerableObservable<T>(
            cancellationToken => reader.ReadAsync(feed, after, db => visible(db, principal, kind), cancellationToken),
            hub.StreamWindow);
    }
}

/// <summary>
/// An <see cref="IObservable{T}"/> over an async sequence, started at each subscription and stopped by disposing it.
/// With a <c>window</c>, each item waits for a permit first; the transport returns one per message it has sent, so a
/// slow client slows the reads instead of filling the memory.
/// </summary>
internal sealed class AsyncEnumerableObservable<T>(Func<CancellationToken, IAsyncEnumerable<T>> source, SemaphoreSlim? window)
    : IObservable<object?>
{
    public IDisposable Subscribe(IObserver<object?> observer)
    {
        var stop = new CancellationTokenSource();
        _ = Task.Run(() => PumpAsync(observer, stop.Token), CancellationToken.None);
        return new Subscription(stop);
    }

    private async Task PumpAsync(IObserver<object?> observer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in source(cancellationToken).WithCancellation(cancellationToken))
            {
                if (window is not null)
                {
                    await window.WaitAsync(cancellationToken);
                }
                observer.OnNext(item);
            }
            observer.OnCompleted();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Unsubscribed.
        }
#pragma warning disable CA1031 // Any failure of the source ends the stream as an error event, which the transport reports without its details.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            observer.OnError(ex);
        }
    }

    private sealed class Subscription(CancellationTokenSource stop) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                // Cancelled, not disposed: the pump may still be reading the token.
                stop.Cancel();
            }
        }
    }
}
