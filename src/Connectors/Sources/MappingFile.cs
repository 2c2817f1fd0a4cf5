using System.Text.Json;
using System.Text.Json.Serialization;
using SharingHub.Connectors.Sanitizing;
using SharingHub.Rules;

namespace SharingHub.Connectors.Sources;

/// <summary>
/// A mapping file: how the rows of an agency's CSV or JSON export become canonical records. Each entry of
/// <see cref="Records"/> emits at most one record per row, so one row can yield a person with its phones and
/// addresses (pointing to it through <c>subjectRef</c>). Values are templates: text with <c>{column}</c>
/// references. See README "Publishing records".
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class MappingFile
{
    /// <summary><c>csv</c>, <c>json</c> (an array or JSON lines); by default taken from the file extension.</summary>
    public string? Format { get; set; }

    /// <summary>CSV field delimiter; a comma by default.</summary>
    public string? Delimiter { get; set; }

    /// <summary>Region for phone numbers written without a country code (ISO 3166-1 alpha-2).</summary>
    public string? PhoneRegion { get; set; }

    /// <summary>
    /// The default region first, then neighbouring regions a number invalid in the default one is read in
    /// (<c>["US", "MX"]</c>: a Mexican number written with its area code only); instead of <see cref="PhoneRegion"/>.
    /// </summary>
    public List<string>? PhoneRegions { get; set; }

    /// <summary>IANA time zone for operation times written without a UTC offset.</summary>
    public string? TimeZone { get; set; }

    /// <summary>Full-date formats the export uses besides ISO 8601, e.g. <c>MM/dd/yyyy</c>.</summary>
    public List<string> DateFormats { get; set; } = [];

    /// <summary>Label defaults for every record; a record's own label fields override them.</summary>
    public Dictionary<string, string> Labels { get; set; } = [];

    /// <summary>The records each row may emit.</summary>
    public List<RecordMapping> Records { get; set; } = [];

    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNameCaseInsensitive = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads and checks a mapping file; a mistake is a <see cref="MappingException"/> that says where.</summary>
    public static MappingFile Load(string path)
    {
        MappingFile? mapping;
        try
        {
            using var stream = File.OpenRead(path);
            mapping = JsonSerializer.Deserialize<MappingFile>(stream, Options);
        }
        catch (JsonException ex)
        {
            throw new MappingException($"{path}: {ex.Path}: {(ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "unknown setting" : "invalid value")} (line {ex.LineNumber + 1})", ex);
        }
        catch (IOException ex)
        {
            throw new MappingException($"{path}: {ex.Message}", ex);
        }
        if (mapping is null)
        {
            throw new MappingException($"{path}: empty mapping");
        }
        mapping.Validate(path);
        return mapping;
    }

    private void Validate(string path)
    {
        if (Format is not (null or "csv" or "json"))
        {
            throw new MappingException($"{path}: format must be csv or json");
        }
        if (Delimiter is { Length: not 1 })
        {
            throw new MappingException($"{path}: delimiter must be one character");
        }
        if (PhoneRegion is not null && PhoneRegions is not null)
        {
            throw new MappingException($"{path}: set phoneRegion or phoneRegions, not both");
        }
        if ((PhoneRegions ?? (PhoneRegion is null ? null : [PhoneRegion])) is { } regions && PhoneRules.ParseRegions(regions, out var error) is null)
        {
            throw new MappingException($"{path}: {(PhoneRegions is null ? "phoneRegion" : "phoneRegions")}: {error}");
        }
        foreach (var key in Labels.Keys)
        {
            if (!RowMapper.LabelFields.Contains(key))
            {
                throw new MappingException($"{path}: labels.{key} is not a label (allowed: {string.Join(", ", RowMapper.LabelFields)})");
            }
        }
        if (Records.Count == 0)
        {
            throw new MappingException($"{path}: records is empty: map at least one record");
        }
        for (var i = 0; i < Records.Count; i++)
        {
            var record = Records[i];
            var where = $"{path}: records[{i}]";
            if (record.Kind is not ("person" or "phone" or "location"))
            {
                throw new MappingException($"{where}.kind must be person, phone or location");
            }
            if (!record.Fields.ContainsKey("localId"))
            {
                throw new MappingException($"{where}.fields needs a localId template, e.g. \"P-{{person_id}}\"");
            }
            foreach (var field in record.Fields.Keys)
            {
                if (!RowMapper.FieldsOf(record.Kind).Contains(field))
                {
                    throw new MappingException($"{where}.fields.{field} is not a field of a {record.Kind} record");
                }
            }
            foreach (var field in record.Values.Keys)
            {
                if (!record.Fields.ContainsKey(field) && !(field.StartsWith("labels.", StringComparison.Ordinal) && Labels.ContainsKey(field[7..])))
                {
                    throw new MappingException($"{where}.values.{field} translates a field that is not mapped");
                }
            }
            if (record.Kind != "person" && (record.Aliases.Count > 0 || record.Identifiers.Count > 0))
            {
                throw new MappingException($"{where}: only person records have aliases and identifiers");
            }
            ValidateOmitInvalid(record, where);
        }
    }

    private static void ValidateOmitInvalid(RecordMapping record, string where)
    {
        var omittable = Sanitizer.OmittableFields[record.Kind];
        foreach (var field in record.OmitInvalid)
        {
            // "sensitivity" or "controlOfficial" for labels.sensitivity: still a label, and said so.
            var isLabel = field.StartsWith("labels.", StringComparison.Ordinal)
                || RowMapper.LabelFields.Any(l => l == field || l.StartsWith(field + ".", StringComparison.Ordinal));
            if (!isLabel && !RowMapper.FieldsOf(record.Kind).Contains(field))
            {
                throw new MappingException($"{where}.omitInvalid: {field} is not a field of a {record.Kind} record");
            }
            if (!omittable.Contains(field))
            {
                var why = field switch
                {
                    _ when isLabel => "is a label",
                    "localId" or "version" or "role" or "number" => "is required",
                    _ => "is not an optional value the record means the same without",
                };
                var allowed = omittable.Count == 0
                    ? $"a {record.Kind} record has no such field"
                    : $"a {record.Kind} record may list {string.Join(", ", omittable.Order(StringComparer.Ordinal))}";
                throw new MappingException($"{where}.omitInvalid: {field} {why}: an invalid value must reject the record ({allowed})");
            }
            if (!record.Fields.ContainsKey(field))
            {
                throw new MappingException($"{where}.omitInvalid: {field} is not mapped in fields");
            }
        }
    }
}

/// <summary>One record a row may emit.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class RecordMapping
{
    /// <summary><c>person</c>, <c>phone</c> or <c>location</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>A template; when it renders empty the row does not emit this record (e.g. no second phone).</summary>
    public string? When { get; set; }

    /// <summary>Canonical field name (e.g. <c>givenName</c>, <c>labels.caseRef</c>) to template.</summary>
    public Dictionary<string, string> Fields { get; set; } = [];

    /// <summary>Person only: one template per alias column; empty ones are skipped.</summary>
    public List<string> Aliases { get; set; } = [];

    /// <summary>Person only: identifier templates.</summary>
    public List<IdentifierMapping> Identifiers { get; set; } = [];

    /// <summary>Per field, the export's codes and the canonical values they mean, e.g. <c>{"role": {"S": "suspect"}}</c>.</summary>
    public Dictionary<string, Dictionary<string, string>> Values { get; set; } = [];

    /// <summary>
    /// Optional fields (e.g. <c>birthDate</c>) whose invalid value is left out, with a line in the report, instead of
    /// rejecting the record: for exports known to carry typos there. Only <see cref="Sanitizer.OmittableFields"/>.
    /// </summary>
    public List<string> OmitInvalid { get; set; } = [];
}

/// <summary>Templates for one identifier of a person.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class IdentifierMapping
{
    /// <summary>The identifier's kind, e.g. <c>passport</c>.</summary>
    public string Category { get; set; } = "";

    /// <summary>Template of the identifier itself.</summary>
    public string Id { get; set; } = "";

    /// <summary>Template of the issuing country or state.</summary>
    public string? Jurisdiction { get; set; }
}

/// <summary>A mapping file or the file it maps is unusable: a fatal error.</summary>
internal sealed class MappingException : Exception
{
    public MappingException(string message) : base(message) { }

    public MappingException(string message, Exception inner) : base(message, inner) { }

    public MappingException() { }
}
