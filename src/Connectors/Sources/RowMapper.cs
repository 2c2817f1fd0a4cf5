using System.Collections.Frozen;
using System.Text;
using SharingHub.Connectors.Sanitizing;

namespace SharingHub.Connectors.Sources;

/// <summary>Applies a <see cref="MappingFile"/> to source rows (column name to text value).</summary>
internal sealed class RowMapper
{
    internal static readonly FrozenSet<string> LabelFields = FrozenSet.ToFrozenSet(
        ["sensitivity", "confidence", "controlOfficial.name", "controlOfficial.channel", "caseRef", "justification", "reviewBy"],
        StringComparer.Ordinal);

    private static readonly string[] CommonFields = ["localId", "version", "withdrawn", .. LabelFields.Select(f => "labels." + f)];

    private static readonly FrozenSet<string> PersonFields = FrozenSet.ToFrozenSet(
        [.. CommonFields, "role", "givenName", "surname", "birthDate", "sex"], StringComparer.Ordinal);

    private static readonly FrozenSet<string> PhoneFields = FrozenSet.ToFrozenSet(
        [.. CommonFields, "subjectRef", "number", "e164", "validFrom", "validTo"], StringComparer.Ordinal);

    private static readonly FrozenSet<string> LocationFields = FrozenSet.ToFrozenSet(
        [.. CommonFields, "subjectRef", "address", "lat", "lon", "radiusMeters", "startsAt", "endsAt"], StringComparer.Ordinal);

    private readonly MappingFile _mapping;
    private readonly List<CompiledRecord> _records;

    public RowMapper(MappingFile mapping)
    {
        _mapping = mapping;
        var labelDefaults = mapping.Labels.ToDictionary(kv => "labels." + kv.Key, kv => Template.Parse(kv.Value));
        _records = [.. mapping.Records.Select(r => new CompiledRecord(r, labelDefaults))];
    }

    internal static FrozenSet<string> FieldsOf(string kind) => kind switch
    {
        "person" => PersonFields,
        "phone" => PhoneFields,
        _ => LocationFields,
    };

    /// <summary>Every column the mapping reads; a CSV header must have them all.</summary>
    public IEnumerable<string> Columns => _records.SelectMany(r => r.Templates).SelectMany(t => t.Columns).Distinct(StringComparer.Ordinal);

    public IReadOnlyList<SourceRecord> Map(IReadOnlyDictionary<string, string?> row)
    {
        var result = new List<SourceRecord>(_records.Count);
        foreach (var record in _records)
        {
            if (record.When is not null && string.IsNullOrWhiteSpace(record.When.Render(row)))
            {
                continue;
            }
            result.Add(record.Apply(row));
        }
        return result;
    }

    public MappingFile Mapping => _mapping;

    private sealed class CompiledRecord
    {
        private readonly RecordMapping _source;
        private readonly Dictionary<string, Template> _fields;
        private readonly List<Template> _aliases;
        private readonly List<(Template Category, Template Id, Template? Jurisdiction)> _identifiers;
        private readonly FrozenSet<string> _omitInvalid;

        public CompiledRecord(RecordMapping source, Dictionary<string, Template> labelDefaults)
        {
            _source = source;
            _fields = new Dictionary<string, Template>(labelDefaults, StringComparer.Ordinal);
            foreach (var (field, template) in source.Fields)
            {
                _fields[field] = Template.Parse(template);
            }
            When = source.When is null ? null : Template.Parse(source.When);
            _aliases = [.. source.Aliases.Select(Template.Parse)];
            _identifiers = [.. source.Identifiers.Select(i => (Template.Parse(i.Category), Template.Parse(i.Id), i.Jurisdiction is null ? null : Template.Parse(i.Jurisdiction)))];
            _omitInvalid = source.OmitInvalid.ToFrozenSet(StringComparer.Ordinal);
        }

        public Template? When { get; }

        public IEnumerable<Template> Templates => _fields.Values
            .Concat(_aliases)
            .Concat(_identifiers.SelectMany(i => new[] { i.Category, i.Id, i.Jurisdiction }.OfType<Template>()))
            .Concat(When is null ? [] : [When]);

        public SourceRecord Apply(IReadOnlyDictionary<string, string?> row)
        {
            var record = new SourceRecord { Kind = _source.Kind, OmitInvalid = _omitInvalid };
            foreach (var (field, template) in _fields)
            {
                var value = template.Render(row);
                if (_source.Values.TryGetValue(field, out var codes) && value is not null
                    && codes.TryGetValue(value.Trim(), out var translated))
                {
                    value = translated;
                }
                Set(record, field, value);
            }
            foreach (var alias in _aliases)
            {
                var value = alias.Render(row);
                if (!string.IsNullOrWhiteSpace(value))
                {
                    record.Aliases.Add(value);
                }
            }
            foreach (var (category, id, jurisdiction) in _identifiers)
            {
                var value = id.Render(row);
                if (!string.IsNullOrWhiteSpace(value))
                {
                    record.Identifiers.Add(new SourceIdentifier(category.Render(row), value, jurisdiction?.Render(row)));
                }
            }
            return record;
        }

        private static void Set(SourceRecord r, string field, string? value)
        {
            switch (field)
            {
                case "localId": r.LocalId = value; break;
                case "version": r.Version = value; break;
                case "withdrawn": r.Withdrawn = value; break;
                case "subjectRef": r.SubjectRef = value; break;
                case "role": r.Role = value; break;
                case "givenName": r.GivenName = value; break;
                case "surname": r.Surname = value; break;
                case "birthDate": r.BirthDate = value; break;
                case "sex": r.Sex = value; break;
                case "number": r.Number = value; break;
                case "e164": r.E164 = value; break;
                case "validFrom": r.ValidFrom = value; break;
                case "validTo": r.ValidTo = value; break;
                case "address": r.Address = value; break;
                case "lat": r.Lat = value; break;
                case "lon": r.Lon = value; break;
                case "radiusMeters": r.RadiusMeters = value; break;
                case "startsAt": r.StartsAt = value; break;
                case "endsAt": r.EndsAt = value; break;
                case "labels.sensitivity": r.Labels.Sensitivity = value; break;
                case "labels.confidence": r.Labels.Confidence = value; break;
                case "labels.controlOfficial.name": r.Labels.ControlOfficialName = value; break;
                case "labels.controlOfficial.channel": r.Labels.ControlOfficialChannel = value; break;
                case "labels.caseRef": r.Labels.CaseRef = value; break;
                case "labels.justification": r.Labels.Justification = value; break;
                case "labels.reviewBy": r.Labels.ReviewBy = value; break;
                default: throw new MappingException($"fields.{field} is not a field");
            }
        }
    }
}

/// <summary>Text with <c>{column}</c> references; <c>{{</c> and <c>}}</c> are literal braces.</summary>
internal sealed class Template
{
    private readonly List<(string Text, bool IsColumn)> _parts;

    private Template(List<(string, bool)> parts) => _parts = parts;

    public IEnumerable<string> Columns => _parts.Where(p => p.IsColumn).Select(p => p.Text);

    public static Template Parse(string text)
    {
        var parts = new List<(string, bool)>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '{' && i + 1 < text.Length && text[i + 1] == '{')
            {
                literal.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < text.Length && text[i + 1] == '}')
            {
                literal.Append('}');
                i++;
            }
            else if (c == '{')
            {
                var end = text.IndexOf('}', i + 1);
                if (end < 0)
                {
                    throw new MappingException($"template \"{text}\" has an unclosed {{");
                }
                var column = text[(i + 1)..end].Trim();
                if (column.Length == 0)
                {
                    throw new MappingException($"template \"{text}\" has an empty {{}}");
                }
                if (literal.Length > 0)
                {
                    parts.Add((literal.ToString(), false));
                    literal.Clear();
                }
                parts.Add((column, true));
                i = end;
            }
            else if (c == '}')
            {
                throw new MappingException($"template \"{text}\" has a }} without {{ (write }}}} for a literal brace)");
            }
            else
            {
                literal.Append(c);
            }
        }
        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), false));
        }
        return new Template(parts);
    }

    /// <summary>
    /// Renders the template for a row. When every column it references is empty the result is
    /// <see langword="null"/>: "P-{id}" on a row without an id is missing, not "P-".
    /// </summary>
    public string? Render(IReadOnlyDictionary<string, string?> row)
    {
        if (_parts.Count == 1 && !_parts[0].IsColumn)
        {
            return _parts[0].Text;
        }
        var builder = new StringBuilder();
        var anyValue = false;
        foreach (var (text, isColumn) in _parts)
        {
            if (!isColumn)
            {
                builder.Append(text);
                continue;
            }
            if (row.TryGetValue(text, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                anyValue = true;
                builder.Append(value.Trim());
            }
        }
        return anyValue ? builder.ToString() : null;
    }
}
