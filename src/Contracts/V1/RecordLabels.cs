namespace SharingHub.Contracts.V1;

/// <summary>The handling labels every shared record carries.</summary>
public sealed record RecordLabels
{
    /// <summary>What a counterpart agency may see of the record when it matches.</summary>
    public required Sensitivity Sensitivity { get; init; }

    /// <summary>How far the owning agency trusts the record; <see langword="null"/> when not stated.</summary>
    public Confidence? Confidence { get; init; }

    /// <summary>The officer who answers for the record and is contacted about its matches.</summary>
    public required ControlOfficial ControlOfficial { get; init; }

    /// <summary>The owning agency's case reference (NIEM CaseTrackingID); opaque to the hub.</summary>
    public string? CaseTrackingID { get; init; }

    /// <summary>
    /// Why the agency holds the record (28 CFR 23: the reasonable suspicion for a suspect).
    /// Required when the record is a person with the role <see cref="PersonRole.Suspect"/>.
    /// </summary>
    public string? Justification { get; init; }

    /// <summary>The date by which the owning agency reviews, renews or withdraws the record.</summary>
    public DateOnly? ReviewDate { get; init; }
}

/// <summary>The control official of a record: who to call about it.</summary>
public sealed record ControlOfficial
{
    /// <summary>The official's name and rank as it should appear in an alert (NIEM PersonFullName).</summary>
    public required string PersonFullName { get; init; }

    /// <summary>How to reach the official: a telephone number in E.164 form or an email address.</summary>
    public required string ContactChannel { get; init; }
}
