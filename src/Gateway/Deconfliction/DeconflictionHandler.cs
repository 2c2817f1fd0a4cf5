using Npgsql;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Records;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>
/// Plugs incremental matching into record storage: blocking keys and pending markers in the batch's transaction,
/// then, after the commit, the candidate lookup and scoring for the same records. One instance per consumed
/// message (scoped), so it can carry the pending ids from one step to the next.
/// </summary>
internal sealed partial class DeconflictionHandler(
    BlockingKeyWriter keys,
    IncrementalMatcher matcher,
    ILogger<DeconflictionHandler> logger) : IStoredRecordsHandler
{
    private IReadOnlyList<long> _pending = [];

    public async Task OnStoredAsync(StoredRecordBatch batch, HubDbContext db, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _pending = await keys.WriteAsync(connection, batch, cancellationToken);
    }

    public async Task OnCommittedAsync(StoredRecordBatch batch, CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }
        try
        {
            await matcher.RunAsync(_pending, "batch", cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            // The records and their pending markers are committed: failing the message would only redeliver a batch
            // that reports no change. The sweeper runs these records again from their markers.
            Log.Deferred(logger, batch.AgencyCode, batch.MessageId, _pending.Count, ex);
        }
        finally
        {
            _pending = [];
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "agency {Agency} message {MessageId}: matching of {Count} records deferred to the sweeper")]
        public static partial void Deferred(ILogger logger, string agency, Guid? messageId, int count, Exception exception);
    }
}
