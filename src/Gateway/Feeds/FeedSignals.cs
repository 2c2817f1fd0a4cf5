using System.Collections.Concurrent;

namespace SharingHub.Gateway.Feeds;

/// <summary>One feed's wake-up: completed at each notification, and the highest transaction id notified so far.</summary>
internal sealed class FeedSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _latestTx;

    /// <summary>Completes at the next notification. Take it before reading, so that none is missed in between.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>The highest transaction id a notification named (or that a reconnect may have missed).</summary>
    public long LatestTx => Interlocked.Read(ref _latestTx);

    public void Raise(long tx)
    {
        var seen = Interlocked.Read(ref _latestTx);
        while (tx > seen)
        {
            var previous = Interlocked.CompareExchange(ref _latestTx, tx, seen);
            if (previous == seen)
            {
                break;
            }
            seen = previous;
        }
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}

/// <summary>The signals of every feed in this process, raised by the <see cref="FeedListener"/>.</summary>
internal sealed class FeedSignals
{
    private readonly ConcurrentDictionary<string, FeedSignal> _signals = new(StringComparer.Ordinal);
    private int _listening;

    /// <summary>
    /// True while the <see cref="FeedListener"/>'s LISTEN is in place, so that every commit to a feed table raises its
    /// signal; a cache that relies on the signals must not be trusted while it is false.
    /// </summary>
    public bool Listening => Volatile.Read(ref _listening) == 1;

    /// <summary>Records whether the listener's LISTEN is in place.</summary>
    public void SetListening(bool listening) => Volatile.Write(ref _listening, listening ? 1 : 0);

    public FeedSignal For(string feed) => _signals.GetOrAdd(feed, _ => new FeedSignal());

    /// <summary>A notification from <paramref name="feed"/>'s table, written by transaction <paramref name="tx"/>.</summary>
    public void Raise(string feed, long tx) => For(feed).Raise(tx);

    /// <summary>After the listening connection was (re)opened: anything up to <paramref name="tx"/> may have been missed.</summary>
    public void RaiseAll(long tx)
    {
        foreach (var signal in _signals.Values)
        {
            signal.Raise(tx);
        }
    }
}
