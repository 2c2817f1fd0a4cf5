using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SharingHub.Gateway.Data;

namespace SharingHub.Gateway.Feeds;

/// <summary>
/// Reads a change feed for one subscriber, in commit order, from a cursor: first everything after it, then live as
/// notifications arrive. What the subscriber may see is the caller's base query (the <c>source</c> of
/// <see cref="ReadAsync"/>), so the feed adds no filter of its own.
/// </summary>
/// <remarks>
/// Entry ids are not in commit order, so the cursor is (writing transaction, id) and a read returns only entries of
/// transactions below the database's oldest running one (the snapshot's xmin): no entry can ever commit behind a
/// position once read. An entry whose transaction committed while an older one still runs is held back until that
/// one ends, and re-read after a short back-off, since the older one may notify nothing.
/// </remarks>
internal sealed class FeedReader(
    IServiceScopeFactory scopes,
    FeedSignals signals,
    IOptions<FeedOptions> options,
    TimeProvider time)
{
    /// <summary>
    /// The entries of <paramref name="feed"/> (the table's name) that <paramref name="source"/> yields, after
    /// <paramref name="after"/> or, without one, from now. Each read runs in its own scope and
    /// <see cref="HubDbContext"/>; the sequence ends only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async IAsyncEnumerable<T> ReadAsync<T>(
        string feed,
        FeedCursor? after,
        Func<HubDbContext, IQueryable<T>> source,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class, IFeedEntry
    {
        var settings = options.Value;
        var signal = signals.For(feed);
        var cursor = after ?? FeedCursor.Before(await HorizonAsync(cancellationToken));
        var heldBackDelay = TimeSpan.FromMilliseconds(settings.HeldBackRetryMilliseconds);
        while (true)
        {
            var notified = signal.Next;
            List<T> page;
            long horizon;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
                // Taken before the query: every transaction below it has ended, so the query's later snapshot sees
                // all of their entries.
                horizon = await HorizonAsync(db, cancellationToken);
                var (tx, id) = cursor;
                page = await source(db)
                    .Where(e => e.Tx > tx || (e.Tx == tx && e.Id > id))
                    .Where(e => e.Tx < horizon)
                    .OrderBy(e => e.Tx).ThenBy(e => e.Id)
                    .Take(settings.PageSize)
                    .AsNoTracking()
                    .ToListAsync(cancellationToken);
            }
            foreach (var entry in page)
            {
                cursor = FeedCursor.Of(entry);
                yield return entry;
            }
            if (page.Count == settings.PageSize)
            {
                continue;
            }
            // Everything visible below the horizon is read: skip the other agencies' entries for good.
            var reached = FeedCursor.Before(horizon);
            if (reached > cursor)
            {
                cursor = reached;
            }
            if (signal.LatestTx >= horizon)
            {
                await Task.Delay(heldBackDelay, time, cancellationToken);
                heldBackDelay = TimeSpan.FromMilliseconds(Math.Min(heldBackDelay.TotalMilliseconds * 2, 1000));
                continue;
            }
            heldBackDelay = TimeSpan.FromMilliseconds(settings.HeldBackRetryMilliseconds);
            try
            {
                await notified.WaitAsync(TimeSpan.FromSeconds(settings.PollSeconds), time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // The poll that covers a lost notification.
            }
        }
    }

    private async Task<long> HorizonAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await HorizonAsync(scope.ServiceProvider.GetRequiredService<HubDbContext>(), cancellationToken);
    }

    /// <summary>
    /// The oldest transaction still running (the snapshot's xmin): every transaction below it has ended, so a read
    /// after this call sees all their entries, and no entry below it can commit later.
    /// </summary>
    internal static async Task<long> HorizonAsync(HubDbContext db, CancellationToken cancellationToken) =>
        await db.Database.SqlQueryRaw<long>("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS \"Value\"")
            .SingleAsync(cancellationToken);
}
