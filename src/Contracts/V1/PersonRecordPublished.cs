namespace SharingHub.Contracts.V1;

/// <summary>
/// An agency shares a person, or a new version of one. The record is keyed by the sending agency and
/// <see cref="LocalId"/>; the hub stores a version only if it is newer than the one it holds.
/// </summary>
/// <remarks>
/// The sending agency is never part of the body: the hub takes it from the broker-validated AMQP
/// <c>user_id</c> of the message that carries the record.
/// </remarks>
public sealed record PersonRecordPublished
{
    /// <summary>The record's id in the agency's own system, unique among the agency's person records.</summary>
    public required string LocalId { get; init; }

    /// <summary>The record's version: it increases with every change the agency makes.</summary>
    public required long Version { get; init; }

    /// <summary>The part the person plays in the agency's case.</summary>
    public required PersonRole PersonRole { get; init; }

    /// <summary>The person's given name(s), e.g. "María José".</summary>
    public string? PersonGivenName { get; init; }

    /// <summary>The person's surname(s), e.g. a Spanish double surname "García López".</summary>
    public string? PersonSurName { get; init; }

    /// <summary>Other names the person is known by: aliases, nicknames, earlier surnames.</summary>
    public IReadOnlyList<string> PersonAlternateNames { get; init; } = [];

    /// <summary>The person's date of birth, possibly only a year or a year and month.</summary>
    public PartialDate? PersonBirthDate { get; init; }

    /// <summary>The person's sex as recorded.</summary>
    public PersonSex PersonSex { get; init; } = PersonSex.Unknown;

    /// <summary>Identifiers such as passport, driver licence or FBI numbers.</summary>
    public IReadOnlyList<PersonIdentification> PersonOtherIdentifications { get; init; } = [];

    /// <summary>The record's handling labels.</summary>
    public required RecordLabels Labels { get; init; }
}

/// <summary>An identifier of a person (NIEM IdentificationType).</summary>
public sealed record PersonIdentification
{
    /// <summary>What kind of identifier it is, in camelCase, e.g. <c>passport</c>, <c>driverLicense</c>, <c>fbiNumber</c>.</summary>
    public required string IdentificationCategoryText { get; init; }

    /// <summary>The identifier, upper case, without spaces or separators.</summary>
    public required string IdentificationID { get; init; }

    /// <summary>Who issued it (a country or state code such as <c>MX</c> or <c>US-TX</c>), when known.</summary>
    public string? IdentificationJurisdictionText { get; init; }
}
