namespace SharingHub.Contracts.V1;

/// <summary>
/// Many records of one agency in one message: how connectors publish. Each member is handled exactly as if
/// it had arrived in its own message; a member that fails validation is set aside with its reason and the
/// rest of the batch is stored.
/// </summary>
/// <remarks>The sending agency comes from the AMQP <c>user_id</c>, never from the body.</remarks>
public sealed record RecordBatchPublished
{
    /// <summary>Person records published or updated.</summary>
    public IReadOnlyList<PersonRecordPublished> Persons { get; init; } = [];

    /// <summary>Phone records published or updated.</summary>
    public IReadOnlyList<PhoneRecordPublished> Phones { get; init; } = [];

    /// <summary>Location records published or updated.</summary>
    public IReadOnlyList<LocationRecordPublished> Locations { get; init; } = [];

    /// <summary>Records withdrawn.</summary>
    public IReadOnlyList<RecordWithdrawn> Withdrawals { get; init; } = [];
}
