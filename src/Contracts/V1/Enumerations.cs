using System.Text.Json.Serialization;

namespace SharingHub.Contracts.V1;

/// <summary>What a counterpart agency may see of a record when it matches one of theirs.</summary>
/// <remarks>Serialized by name. Numeric values are fixed: members are only ever added.</remarks>
[JsonConverter(typeof(JsonStringEnumConverter<Sensitivity>))]
public enum Sensitivity
{
    /// <summary>A counterpart sees the matched fields and the control official's contact.</summary>
    Open = 1,

    /// <summary>A counterpart sees the owning agency's name and contact only.</summary>
    AgencyOnly = 2,

    /// <summary>A counterpart sees nothing; the owner is told of the match and decides.</summary>
    Restricted = 3,
}

/// <summary>How far the owning agency trusts the record's content.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Confidence>))]
public enum Confidence
{
    /// <summary>Unconfirmed or single-source information.</summary>
    Low = 1,

    /// <summary>Partly corroborated information.</summary>
    Medium = 2,

    /// <summary>Verified or corroborated information.</summary>
    High = 3,
}

/// <summary>The part a person plays in the owning agency's case.</summary>
/// <remarks>A match that touches a <see cref="Victim"/> is routed to advocates as a protective alert.</remarks>
[JsonConverter(typeof(JsonStringEnumConverter<PersonRole>))]
public enum PersonRole
{
    /// <summary>The role is not known.</summary>
    Unknown = 1,

    /// <summary>A suspect; the record must carry a justification (28 CFR 23 reasonable suspicion).</summary>
    Suspect = 2,

    /// <summary>A victim or survivor.</summary>
    Victim = 3,

    /// <summary>A witness.</summary>
    Witness = 4,

    /// <summary>An associate of a subject.</summary>
    Associate = 5,
}

/// <summary>A person's sex as recorded by the owning agency (NIEM PersonSexCode: F, M, U).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PersonSex>))]
public enum PersonSex
{
    /// <summary>Not recorded or not known (U).</summary>
    Unknown = 1,

    /// <summary>Female (F).</summary>
    Female = 2,

    /// <summary>Male (M).</summary>
    Male = 3,
}

/// <summary>The three kinds of record an agency shares.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RecordKind>))]
public enum RecordKind
{
    /// <summary>A <see cref="PersonRecordPublished"/>.</summary>
    Person = 1,

    /// <summary>A <see cref="PhoneRecordPublished"/>.</summary>
    Phone = 2,

    /// <summary>A <see cref="LocationRecordPublished"/>.</summary>
    Location = 3,
}
