using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharingHub.Connectors.Sanitizing;

namespace SharingHub.Connectors.Sources;

/// <summary>
/// One line of the canonical JSON-lines format (docs/records.md). Exactly these field names: an unknown field is
/// an error, so a typo cannot hide a field.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class CanonicalLine
{
    public string? Kind { get; set; }
    public string? LocalId { get; set; }
    public long? Version { get; set; }
    public bool? Withdrawn { get; set; }
    public string? SubjectRef { get; set; }
    public string? Role { get; set; }
    public string? GivenName { get; set; }
    public string? Surname { get; set; }
    public List<string?>? Aliases { get; set; }
    public string? BirthDate { get; set; }
    public string? Sex { get; set; }
    public List<CanonicalIdentifier>? Identifiers { get; set; }
    public string? Number { get; set; }
    public string? E164 { get; set; }
    public string? ValidFrom { get; set; }
    public string? ValidTo { get; set; }
    public string? Address { get; set; }
    public double? Lat { get; set; }
    public double? Lon { get; set; }
    public double? RadiusMeters { get; set; }
    public string? StartsAt { get; set; }
    public string? EndsAt { get; set; }
    public CanonicalLabels? Labels { get; set; }

    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNameCaseInsensitive = false,
        // Dates and times stay text here: the sanitizer reads them, so every source is read the same way.
        NumberHandling = JsonNumberHandling.Strict,
        // A second "role" would silently win over the first: as hidden as a misspelt field.
        AllowDuplicateProperties = false,
    };

    public SourceRecord ToSourceRecord()
    {
        var record = new SourceRecord
        {
            Kind = Kind,
            LocalId = LocalId,
            Version = Version?.ToString(CultureInfo.InvariantCulture),
            Withdrawn = Withdrawn?.ToString(CultureInfo.InvariantCulture),
            SubjectRef = SubjectRef,
            Role = Role,
            GivenName = GivenName,
            Surname = Surname,
            BirthDate = BirthDate,
            Sex = Sex,
            Number = Number,
            E164 = E164,
            ValidFrom = ValidFrom,
            ValidTo = ValidTo,
            Address = Address,
            Lat = Lat?.ToString("R", CultureInfo.InvariantCulture),
            Lon = Lon?.ToString("R", CultureInfo.InvariantCulture),
            RadiusMeters = RadiusMeters?.ToString("R", CultureInfo.InvariantCulture),
            StartsAt = StartsAt,
            EndsAt = EndsAt,
        };
        foreach (var alias in Aliases ?? [])
        {
            if (alias is not null)
            {
                record.Aliases.Add(alias);
            }
        }
        foreach (var identifier in Identifiers ?? [])
        {
            record.Identifiers.Add(new SourceIdentifier(identifier.Category, identifier.Id, identifier.Jurisdiction));
        }
        if (Labels is not null)
        {
            record.Labels.Sensitivity = Labels.Sensitivity;
            record.Labels.Confidence = Labels.Confidence;
            record.Labels.ControlOfficialName = Labels.ControlOfficial?.Name;
            record.Labels.ControlOfficialChannel = Labels.ControlOfficial?.Channel;
            record.Labels.CaseRef = Labels.CaseRef;
            record.Labels.Justification = Labels.Justification;
            record.Labels.ReviewBy = Labels.ReviewBy;
        }
        return record;
    }

    /// <summary>Parses one line; a malformed line or an unknown field becomes a row problem naming the field.</summary>
    public static (SourceRecord? Record, Problem? Problem) Parse(string line)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize<CanonicalLine>(line, Options);
            return parsed is null
                ? (null, new Problem(Problem.RowField, "is not a JSON object"))
                : (parsed.ToSourceRecord(), null);
        }
        catch (JsonException ex)
        {
            return (null, Describe(ex));
        }
    }

    internal static Problem Describe(JsonException ex)
    {
        var field = FieldOf(ex.Path);
        if (ex.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return new Problem(field, "is not a field of the canonical format");
        }
        if (ex.Message.StartsWith("Duplicate propert", StringComparison.Ordinal))
        {
            return new Problem(field, "appears more than once");
        }
        return field == Problem.RowField
            ? new Problem(field, "is not valid JSON")
            : new Problem(field, "has a value of the wrong type");
    }

    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return Problem.RowField;
        }
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        // "$['odd name']" and "$.aliases[2]" name the field itself
        field = field.Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal).Trim('.');
        var bracket = field.IndexOf('[', StringComparison.Ordinal);
        return bracket > 0 && !field[bracket..].Contains('.', StringComparison.Ordinal) ? field[..bracket] : field;
    }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class CanonicalIdentifier
{
    public string? Category { get; set; }
    public string? Id { get; set; }
    public string? Jurisdiction { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class CanonicalLabels
{
    public string? Sensitivity { get; set; }
    public string? Confidence { get; set; }
    public CanonicalOfficial? ControlOfficial { get; set; }
    public string? CaseRef { get; set; }
    public string? Justification { get; set; }
    public string? ReviewBy { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class CanonicalOfficial
{
    public string? Name { get; set; }
    public string? Channel { get; set; }
}
