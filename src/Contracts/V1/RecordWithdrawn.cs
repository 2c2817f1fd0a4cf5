namespace SharingHub.Contracts.V1;

/// <summary>
/// An agency withdraws a record it shared. The hub keeps a tombstone with the version, erases the record's
/// content and closes its matches; a later publish with a higher version shares the record again.
/// </summary>
/// <remarks>The sending agency comes from the AMQP <c>user_id</c>, never from the body.</remarks>
public sealed record RecordWithdrawn
{
    /// <summary>The kind of the withdrawn record.</summary>
    public required RecordKind RecordKind { get; init; }

    /// <summary>The withdrawn record's id in the agency's own system.</summary>
    public required string LocalId { get; init; }

    /// <summary>The version of the withdrawal: higher than every version published before it.</summary>
    public required long Version { get; init; }
}
