namespace SharingHub.Contracts.V1;

/// <summary>
/// An agency shares a location, or a new version of one: either a place tied to one of its persons, or a
/// planned operation (a point, a radius and a time window) for event deconfliction.
/// </summary>
/// <remarks>The sending agency comes from the AMQP <c>user_id</c>, never from the body.</remarks>
public sealed record LocationRecordPublished
{
    /// <summary>The record's id in the agency's own system, unique among the agency's location records.</summary>
    public required string LocalId { get; init; }

    /// <summary>The record's version: it increases with every change the agency makes.</summary>
    public required long Version { get; init; }

    /// <summary>The <see cref="PersonRecordPublished.LocalId"/> of the agency's person tied to the place, if any.</summary>
    public string? SubjectRef { get; init; }

    /// <summary>The address in one line, e.g. "1200 Main St, Houston, TX 77002" (NIEM AddressFullText).</summary>
    public string? LocationAddressFullText { get; init; }

    /// <summary>Latitude in decimal degrees (WGS 84), given together with <see cref="LongitudeDegreeValue"/>.</summary>
    public double? LatitudeDegreeValue { get; init; }

    /// <summary>Longitude in decimal degrees (WGS 84), given together with <see cref="LatitudeDegreeValue"/>.</summary>
    public double? LongitudeDegreeValue { get; init; }

    /// <summary>
    /// Set when the location is a planned operation: the area around the coordinates and the time window.
    /// <see langword="null"/> for a place.
    /// </summary>
    public PlannedOperation? PlannedOperation { get; init; }

    /// <summary>The record's handling labels.</summary>
    public required RecordLabels Labels { get; init; }
}

/// <summary>The area and time window of a planned operation (a warrant service, a sting, a surveillance).</summary>
public sealed record PlannedOperation
{
    /// <summary>When the operation starts.</summary>
    public required DateTimeOffset StartDateTime { get; init; }

    /// <summary>When the operation ends; later than <see cref="StartDateTime"/>.</summary>
    public required DateTimeOffset EndDateTime { get; init; }

    /// <summary>The radius of the operation's area around the location's coordinates, in metres.</summary>
    public required double RadiusMeters { get; init; }
}
