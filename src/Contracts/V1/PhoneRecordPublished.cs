namespace SharingHub.Contracts.V1;

/// <summary>
/// An agency shares a telephone number, or a new version of one, usually tied to one of its persons.
/// A recycled number only matches another agency's when their validity intervals overlap.
/// </summary>
/// <remarks>The sending agency comes from the AMQP <c>user_id</c>, never from the body.</remarks>
public sealed record PhoneRecordPublished
{
    /// <summary>The record's id in the agency's own system, unique among the agency's phone records.</summary>
    public required string LocalId { get; init; }

    /// <summary>The record's version: it increases with every change the agency makes.</summary>
    public required long Version { get; init; }

    /// <summary>The <see cref="PersonRecordPublished.LocalId"/> of the agency's person who uses the number, if any.</summary>
    public string? SubjectRef { get; init; }

    /// <summary>The number as the agency wrote it, e.g. "(713) 555-0199" (NIEM TelephoneNumberFullID).</summary>
    public required string TelephoneNumberFullID { get; init; }

    /// <summary>The number in E.164 form, e.g. "+17135550199".</summary>
    public required string TelephoneNumberE164 { get; init; }

    /// <summary>The first day the subject is known to have used the number; <see langword="null"/> when unknown.</summary>
    public DateOnly? ValidFromDate { get; init; }

    /// <summary>The last day the subject is known to have used the number; <see langword="null"/> while still in use.</summary>
    public DateOnly? ValidToDate { get; init; }

    /// <summary>The record's handling labels.</summary>
    public required RecordLabels Labels { get; init; }
}
