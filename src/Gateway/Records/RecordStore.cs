using Microsoft.EntityFrameworkCore;
using Npgsql;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;
using SharingHub.ServiceDefaults;

namespace SharingHub.Gateway.Records;

/// <summary>
/// Stores one agency's validated records in one transaction: the set-based upsert, then every
/// <see cref="IStoredRecordsHandler"/> inside the transaction, the commit, and the handlers' after-commit work
/// (matching). The one way records enter the hub, whether an agency published them over the broker
/// (<see cref="RecordConsumer"/>) or an officer submitted a planned operation through GraphQL. Scoped: the
/// handlers carry state from one step to the next.
/// </summary>
internal sealed class RecordStore(HubDbContext db, MatchableLoader features, IEnumerable<IStoredRecordsHandler> handlers)
{
    /// <summary>
    /// Stores <paramref name="records"/> as <paramref name="agency"/>'s. The agency is the caller's authenticated one
    /// (the AMQP user_id, or the token's agency claim), never a value from a message body.
    /// </summary>
    /// <returns>What changed, and how many withdrawals named a record the hub does not hold.</returns>
    /// <exception cref="UnknownAgencyException">The agency is not registered with the hub, or is disabled; nothing was stored.</exception>
    public async Task<(StoredRecordBatch Stored, int UnknownWithdrawals)> StoreAsync(
        string agency, Guid? messageId, ValidRecords records, CancellationToken cancellationToken)
    {
        StoredRecordBatch stored;
        int unknownWithdrawals;
        // The store span ends at the commit; the after-commit work (matching) is its sibling under the consume span.
        using (var activity = Telemetry.ActivitySource.StartActivity("store records"))
        {
            activity?.SetTag(Telemetry.Tags.Agency, agency);
            activity?.SetTag(Telemetry.Tags.Records, records.Count);
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var connection = (NpgsqlConnection)db.Database.GetDbConnection();
                if (!await AgencyExistsAsync(connection, agency, cancellationToken))
                {
                    throw new UnknownAgencyException(agency);
                }
                (var changes, unknownWithdrawals) = await RecordBatchWriter.WriteAsync(connection, agency, messageId, records, features.FeaturesOf, cancellationToken);
                stored = new StoredRecordBatch(agency, messageId, changes, records.Count - changes.Count - unknownWithdrawals);
                foreach (var handler in handlers)
                {
                    await handler.OnStoredAsync(stored, db, connection, cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
                activity?.SetTag(Telemetry.Tags.Changed, changes.Count);
                activity?.SetTag(Telemetry.Tags.Unchanged, stored.Unchanged);
            }
            catch (Exception ex) when (activity.Failed(ex))
            {
                throw;
            }
        }
        foreach (var handler in handlers)
        {
            await handler.OnCommittedAsync(stored, cancellationToken);
        }
        return (stored, unknownWithdrawals);
    }

    private static async Task<bool> AgencyExistsAsync(NpgsqlConnection connection, string agency, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM agencies WHERE code = $1 AND disabled_at IS NULL)", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = agency });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}

/// <summary>Records came from an agency the hub has not registered, or has disabled (messages already on the queue when it was).</summary>
internal sealed class UnknownAgencyException(string agency) : Exception($"agency {agency} is not registered with the hub")
{
    /// <summary>The unregistered agency's code.</summary>
    public string Agency { get; } = agency;
}
