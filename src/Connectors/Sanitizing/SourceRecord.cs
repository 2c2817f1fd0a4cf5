using System.Collections.Frozen;

namespace SharingHub.Connectors.Sanitizing;

/// <summary>
/// One record as a source gave it, every value still text: the common shape of canonical lines and mapped
/// rows, before the sanitizer checks and normalizes it. Field names follow the canonical file format.
/// </summary>
internal sealed class SourceRecord
{
    public string? Kind { get; set; }
    public string? LocalId { get; set; }
    public string? Version { get; set; }
    public string? Withdrawn { get; set; }
    public string? SubjectRef { get; set; }

    public string? Role { get; set; }
    public string? GivenName { get; set; }
    public string? Surname { get; set; }
    public List<string> Aliases { get; } = [];
    public string? BirthDate { get; set; }
    public string? Sex { get; set; }
    public List<SourceIdentifier> Identifiers { get; } = [];

    public string? Number { get; set; }

    /// <summary>The number's E.164 form when the source gives it too; it must be the same number.</summary>
    public string? E164 { get; set; }

    public string? ValidFrom { get; set; }
    public string? ValidTo { get; set; }

    public string? Address { get; set; }
    public string? Lat { get; set; }
    public string? Lon { get; set; }
    public string? RadiusMeters { get; set; }
    public string? StartsAt { get; set; }
    public string? EndsAt { get; set; }

    public SourceLabels Labels { get; } = new();

    /// <summary>
    /// Optional fields whose invalid value is left out of the published record (and reported) instead of rejecting
    /// it: a mapping's <c>omitInvalid</c>. Empty for canonical lines, which stay strict.
    /// </summary>
    public FrozenSet<string> OmitInvalid { get; set; } = FrozenSet<string>.Empty;
}

internal sealed record SourceIdentifier(string? Category, string? Id, string? Jurisdiction);

internal sealed class SourceLabels
{
    public string? Sensitivity { get; set; }
    public string? Confidence { get; set; }
    public string? ControlOfficialName { get; set; }
    public string? ControlOfficialChannel { get; set; }
    public string? CaseRef { get; set; }
    public string? Justification { get; set; }
    public string? ReviewBy { get; set; }
}
