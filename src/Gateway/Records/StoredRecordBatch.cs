using Npgsql;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Data;

namespace SharingHub.Gateway.Records;

/// <summary>One record a batch actually changed: inserted, replaced by a newer version, or withdrawn.</summary>
/// <param name="Id">The record's <see cref="StoredRecord.Id"/>.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="LocalId">Its id in the agency's system.</param>
/// <param name="Version">The version now stored.</param>
/// <param name="Withdrawn">Whether this change withdrew it.</param>
/// <param name="Inserted">Whether the hub had never seen it before.</param>
public sealed record StoredRecordChange(long Id, RecordKind Kind, string LocalId, long Version, bool Withdrawn, bool Inserted);

/// <summary>What one message changed in the store. Records whose version was not newer are not in <see cref="Changes"/>.</summary>
/// <param name="AgencyCode">The sending agency (from the AMQP user_id).</param>
/// <param name="MessageId">The broker message.</param>
/// <param name="Changes">The records that changed.</param>
/// <param name="Unchanged">Valid records ignored because the store already held the same or a newer version.</param>
public sealed record StoredRecordBatch(string AgencyCode, Guid? MessageId, IReadOnlyList<StoredRecordChange> Changes, int Unchanged);

/// <summary>
/// The seam after storage: deconfliction (blocking keys, then matching) plugs in here. Every registered handler
/// runs for every stored batch, in registration order.
/// </summary>
/// <remarks>
/// <see cref="OnStoredAsync"/> runs inside the batch's transaction, before the commit: write derived rows
/// (blocking keys) there, so they commit atomically with the records. <see cref="OnCommittedAsync"/> runs after
/// the commit: look up candidates there, so two replicas storing the two halves of a pair cannot miss each other.
/// If anything fails the message is retried, but the records are then already stored and a redelivery reports
/// no change for them: after-commit work must be recoverable on its own (e.g. a pending marker written in
/// <see cref="OnStoredAsync"/>).
/// </remarks>
public interface IStoredRecordsHandler
{
    /// <summary>Runs in the batch's transaction after the upsert; <paramref name="db"/> is enlisted in it.</summary>
    Task OnStoredAsync(StoredRecordBatch batch, HubDbContext db, NpgsqlConnection connection, CancellationToken cancellationToken);

    /// <summary>Runs after the batch's transaction committed.</summary>
    Task OnCommittedAsync(StoredRecordBatch batch, CancellationToken cancellationToken);
}
