using Npgsql;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Records;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>
/// Plugs incremental matching into record storage: blocking keys and pending markers in the batch's transaction,
/// then, after the commit, a wake-up for this replica's matching workers, which match the records on their own
/// (ADR-005), so the store path never waits for scoring. One instance per consumed message (scoped).
/// </summary>
internal sealed class DeconflictionHandler(BlockingKeyWriter keys, MatchWorkers workers) : IStoredRecordsHandler
{
    private bool _queued;

    public async Task OnStoredAsync(StoredRecordBatch batch, HubDbContext db, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _queued = (await keys.WriteAsync(connection, batch, cancellationToken)).Count > 0;
    }

    public Task OnCommittedAsync(StoredRecordBatch batch, CancellationToken cancellationToken)
    {
        if (_queued)
        {
            workers.Signal();
            _queued = false;
        }
        return Task.CompletedTask;
    }
}
