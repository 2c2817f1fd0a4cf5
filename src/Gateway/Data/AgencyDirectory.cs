using Microsoft.EntityFrameworkCore;
using SharingHub.Gateway.Feeds;

namespace SharingHub.Gateway.Data;

/// <summary>
/// The member agencies, read from the database once and kept until one changes. A statement trigger on
/// <c>agencies</c> notifies the change-feed channel (<see cref="FeedModel.AddChangeNotifyTrigger"/>), and every replica's
/// <see cref="FeedListener"/> raises this directory's signal, so a registration or a change of kind is seen by the
/// next request on every replica. The copy is trusted only while the listener is connected: without it, notifications
/// could be missed, so each request reads the table again until the listener is back.
/// </summary>
internal sealed class AgencyDirectory(FeedSignals signals)
{
    /// <summary>The feed name the <c>agencies</c> trigger notifies.</summary>
    public const string Feed = "agencies";

    private Snapshot? _snapshot;

    /// <summary>Every member agency by code.</summary>
    /// <param name="db">Reads the table when the kept copy may be stale.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async ValueTask<IReadOnlyDictionary<string, Agency>> GetAsync(HubDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var kept = Volatile.Read(ref _snapshot);
        if (kept is not null && !kept.Changed.IsCompleted && signals.Listening)
        {
            return kept.Agencies;
        }
        // Taken before reading, so that a change committed during the read invalidates what it returns.
        var changed = signals.For(Feed).Next;
        var listening = signals.Listening;
        var agencies = await db.Agencies.AsNoTracking().ToDictionaryAsync(a => a.Code, StringComparer.Ordinal, cancellationToken);
        if (listening)
        {
            Volatile.Write(ref _snapshot, new Snapshot(changed, agencies));
        }
        return agencies;
    }

    private sealed record Snapshot(Task Changed, IReadOnlyDictionary<string, Agency> Agencies);
}
