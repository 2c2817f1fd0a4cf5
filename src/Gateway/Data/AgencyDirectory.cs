using Microsoft.EntityFrameworkCore;
using SharingHub.Gateway.Feeds;

namespace SharingHub.Gateway.Data;

/// <summary>
/// The member agencies, read from the database once and kept until one changes. A statement trigger on
/// <c>agencies</c> notifies the change-feed channel (<see cref="FeedModel.AddChangeNotifyTrigger"/>), and every replica's
/// <see cref="FeedListener"/> raises this directory's signal, so a registration or a change of kind is seen by the
/// next request on every replica. The copy is trusted only while the listener is connected: without it, notifications
/// could be missed, so each request reads the table again until the listener is back. The notification arrives
/// asynchronously, so a writer on this replica also calls <see cref="Invalidate"/> after its commit: its own next
/// request sees the change whatever the listener's delay.
/// </summary>
internal sealed class AgencyDirectory(FeedSignals signals)
{
    /// <summary>The feed name the <c>agencies</c> trigger notifies.</summary>
    public const string Feed = "agencies";

    private Snapshot? _snapshot;
    private long _version;

    /// <summary>Every member agency by code.</summary>
    /// <param name="db">Reads the table when the kept copy may be stale.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async ValueTask<IReadOnlyDictionary<string, Agency>> GetAsync(HubDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var kept = Volatile.Read(ref _snapshot);
        var version = Interlocked.Read(ref _version);
        if (kept is not null && kept.Version == version && !kept.Changed.IsCompleted && signals.Listening)
        {
            return kept.Agencies;
        }
        // Taken before reading, so that a change committed during the read invalidates what it returns.
        var changed = signals.For(Feed).Next;
        var listening = signals.Listening;
        var agencies = await db.Agencies.AsNoTracking().ToDictionaryAsync(a => a.Code, StringComparer.Ordinal, cancellationToken);
        if (listening)
        {
            Volatile.Write(ref _snapshot, new Snapshot(version, changed, agencies));
        }
        return agencies;
    }

    /// <summary>
    /// Drops the kept copy: called by a writer of <c>agencies</c> after its commit. A read that began before the call
    /// (and may have missed the change) is not kept either.
    /// </summary>
    public void Invalidate() => Interlocked.Increment(ref _version);

    private sealed record Snapshot(long Version, Task Changed, IReadOnlyDictionary<string, Agency> Agencies);
}
