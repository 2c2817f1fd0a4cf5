using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SharingHub.Contracts.V1;
using SharingHub.Rules;

namespace SharingHub.Connectors.Sanitizing;

/// <summary>
/// The outcome of sanitizing one record: a contract record to publish, or the problems that stop it.
/// <see cref="Omitted"/> lists the opted-in optional fields left out of a published record, and why.
/// </summary>
internal sealed record SanitizeResult(object? Record, IReadOnlyList<Problem> Problems, IReadOnlyList<Problem> Omitted)
{
    public bool IsValid => Record is not null;
}

/// <summary>
/// Turns a <see cref="SourceRecord"/> into a contract record. It cleans (whitespace collapsed, Unicode NFC, names in
/// title case when all-caps, identifiers without separators) and parses (dates full or partial, numbers, enumerations,
/// phones to E.164 keeping the raw form); whether the result is valid is decided only by the shared record rules
/// (<see cref="RecordRules"/>), the ones the Gateway runs again, so a rejected record's problems carry the same
/// field, code and reason as the Gateway's error queue would.
/// A record is either published whole or not at all; the one exception is an optional field its mapping lists in
/// <c>omitInvalid</c> (<see cref="OmittableFields"/>): an invalid value there is left out and reported, and the
/// record is published without it.
/// </summary>
internal sealed partial class Sanitizer(SanitizerSettings settings)
{
    /// <summary>
    /// Per kind, the optional fields whose invalid value may be omitted rather than reject the record: values the
    /// record still means the same without (an unknown birth date, sex or validity). Keys, labels, names and
    /// identifiers (what matching and releasability rest on), a phone's number and a location's place or operation
    /// window are not: without them the record would not say what the agency said.
    /// </summary>
    internal static readonly FrozenDictionary<string, FrozenSet<string>> OmittableFields = new Dictionary<string, FrozenSet<string>>(StringComparer.Ordinal)
    {
        ["person"] = FrozenSet.ToFrozenSet([Fields.BirthDate, Fields.Sex], StringComparer.Ordinal),
        ["phone"] = FrozenSet.ToFrozenSet([Fields.ValidFrom, Fields.ValidTo], StringComparer.Ordinal),
        ["location"] = FrozenSet<string>.Empty,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private const int MaxCachedChannels = 1024;

    private readonly SanitizerSettings _settings = settings;

    private string Neighbours => _settings.PhoneRegions.Count > 1 ? $", then {string.Join(", ", _settings.PhoneRegions.Skip(1))}" : "";
    private readonly ConcurrentDictionary<string, string?> _channels = new(StringComparer.Ordinal);

    public SanitizeResult Sanitize(SourceRecord source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var problems = new List<Problem>();
        var kind = ParseKind(source.Kind, problems);
        var localId = Clean(source.LocalId);
        var version = ParseVersion(source.Version, problems);
        var withdrawn = ParseFlag(source.Withdrawn, "withdrawn", problems);
        var key = new List<RuleViolation>();
        RecordRules.Key(localId, version ?? 1, key);
        problems.AddRange(key.Select(Problem.From));

        if (kind is null || version is null || problems.Count > 0)
        {
            return new SanitizeResult(null, problems, []);
        }

        if (withdrawn)
        {
            var withdrawal = new RecordWithdrawn { RecordKind = kind.Value, LocalId = localId!, Version = version.Value };
            problems.AddRange(RecordRules.Check(withdrawal).Select(Problem.From));
            return problems.Count == 0 ? new SanitizeResult(withdrawal, problems, []) : new SanitizeResult(null, problems, []);
        }

        var labels = ParseLabels(source.Labels, problems);
        var omitted = new List<Problem>();
        object record = kind.Value switch
        {
            RecordKind.Person => Person(source, localId!, version.Value, labels, problems, omitted),
            RecordKind.Phone => Phone(source, localId!, version.Value, labels, problems, omitted),
            RecordKind.Location => Location(source, localId!, version.Value, labels, problems),
            _ => throw new InvalidOperationException($"Unhandled record kind {kind}."),
        };
        // A rejected record's omittable problems are problems like the others: nothing of it is published.
        return problems.Count == 0
            ? new SanitizeResult(record, problems, omitted)
            : new SanitizeResult(null, [.. problems, .. omitted], []);
    }

    /// <summary>
    /// Where the problems of an optional field go: to <paramref name="omitted"/> when the record's mapping lists the
    /// field in <c>omitInvalid</c> (the record then goes without the value), else to <paramref name="problems"/>,
    /// which reject the record.
    /// </summary>
    private static List<Problem> ProblemsOf(SourceRecord s, string field, List<Problem> problems, List<Problem> omitted) =>
        s.OmitInvalid.Contains(field) ? omitted : problems;

    /// <summary>
    /// Adds the record rules' violations of a draft record, except on fields already at fault when parsing (one
    /// problem per fault: "is not a date" needs no "is required" after it).
    /// </summary>
    private static void Judge(SourceRecord s, IReadOnlyList<RuleViolation> violations, List<Problem> problems, List<Problem> omitted)
    {
        var faulty = problems.Concat(omitted).Select(p => p.Field).ToHashSet(StringComparer.Ordinal);
        foreach (var violation in violations)
        {
            // The E.164 form the connector computed stands or falls with the number it came from.
            var field = violation.Field == Fields.E164 && s.E164 is null ? Fields.Number : violation.Field;
            if (!faulty.Contains(field))
            {
                // Two dates out of order: which one is wrong cannot be told, so neither is dropped.
                var target = violation.Code == RuleCodes.BeforeStart ? problems : ProblemsOf(s, field, problems, omitted);
                target.Add(Problem.From(violation));
            }
        }
    }

    private static bool IsOmitted(List<Problem> omitted, string field) => omitted.Any(p => p.Field == field);

    private PersonRecordPublished Person(SourceRecord s, string localId, long version, RecordLabels labels, List<Problem> problems, List<Problem> omitted)
    {
        var role = ParseEnum<PersonRole>(s.Role, Fields.Role, problems, required: true);
        var aliases = new List<string>();
        foreach (var alias in s.Aliases)
        {
            var clean = Name(alias);
            if (clean is not null && !aliases.Contains(clean, StringComparer.OrdinalIgnoreCase))
            {
                aliases.Add(clean);
            }
        }

        var draft = new PersonRecordPublished
        {
            LocalId = localId,
            Version = version,
            PersonRole = role ?? PersonRole.Unknown,
            PersonGivenName = Name(s.GivenName),
            PersonSurName = Name(s.Surname),
            PersonAlternateNames = aliases,
            PersonBirthDate = ParseBirthDate(s.BirthDate, ProblemsOf(s, Fields.BirthDate, problems, omitted)),
            PersonSex = ParseSex(s.Sex, ProblemsOf(s, Fields.Sex, problems, omitted)),
            PersonOtherIdentifications = ParseIdentifiers(s.Identifiers, problems),
            Labels = labels,
        };
        Judge(s, RecordRules.Check(draft, _settings.Today), problems, omitted);
        return draft with
        {
            PersonBirthDate = IsOmitted(omitted, Fields.BirthDate) ? null : draft.PersonBirthDate,
            PersonSex = IsOmitted(omitted, Fields.Sex) ? PersonSex.Unknown : draft.PersonSex,
        };
    }

    private PhoneRecordPublished Phone(SourceRecord s, string localId, long version, RecordLabels labels, List<Problem> problems, List<Problem> omitted)
    {
        var raw = Clean(s.Number);
        var e164 = Clean(s.E164);
        // The written number's own characters first: libphonenumber would read past a hidden one.
        if (TextRules.CheckText(Fields.Number, raw, RecordLimits.MaxPhoneLength, required: true) is { } text)
        {
            problems.Add(Problem.From(text));
        }
        else if (e164 is null)
        {
            if (PhoneRules.TryToE164(raw, _settings.PhoneRegions, out var parsed))
            {
                e164 = parsed;
            }
            else
            {
                problems.Add(new Problem(Fields.Number, $"is not a phone number (read with default region {_settings.PhoneRegion}{Neighbours})", RuleCodes.NotAPhone));
            }
        }

        var draft = new PhoneRecordPublished
        {
            LocalId = localId,
            Version = version,
            SubjectRef = Clean(s.SubjectRef),
            TelephoneNumberFullID = raw!,
            TelephoneNumberE164 = e164!,
            ValidFromDate = ParseFullDate(s.ValidFrom, Fields.ValidFrom, ProblemsOf(s, Fields.ValidFrom, problems, omitted)),
            ValidToDate = ParseFullDate(s.ValidTo, Fields.ValidTo, ProblemsOf(s, Fields.ValidTo, problems, omitted)),
            Labels = labels,
        };
        Judge(s, RecordRules.Check(draft), problems, omitted);
        return draft with
        {
            ValidFromDate = IsOmitted(omitted, Fields.ValidFrom) ? null : draft.ValidFromDate,
            ValidToDate = IsOmitted(omitted, Fields.ValidTo) ? null : draft.ValidToDate,
        };
    }

    private LocationRecordPublished Location(SourceRecord s, string localId, long version, RecordLabels labels, List<Problem> problems)
    {
        var lat = ParseNumber(s.Lat, Fields.Lat, problems);
        var lon = ParseNumber(s.Lon, Fields.Lon, problems);
        var startsAt = ParseInstant(s.StartsAt, Fields.StartsAt, problems);
        var endsAt = ParseInstant(s.EndsAt, Fields.EndsAt, problems);
        var radius = ParseNumber(s.RadiusMeters, Fields.RadiusMeters, problems);
        PlannedOperation? operation = null;
        var operationParts = (startsAt is null ? 0 : 1) + (endsAt is null ? 0 : 1) + (radius is null ? 0 : 1);
        if (operationParts is 1 or 2 && !problems.Any(p => p.Field is Fields.StartsAt or Fields.EndsAt or Fields.RadiusMeters))
        {
            var missing = startsAt is null ? Fields.StartsAt : endsAt is null ? Fields.EndsAt : Fields.RadiusMeters;
            problems.Add(new Problem(missing, "a planned operation needs startsAt, endsAt and radiusMeters", RuleCodes.Incomplete));
        }
        else if (operationParts == 3)
        {
            operation = new PlannedOperation { StartDateTime = startsAt!.Value, EndDateTime = endsAt!.Value, RadiusMeters = radius!.Value };
        }

        var draft = new LocationRecordPublished
        {
            LocalId = localId,
            Version = version,
            SubjectRef = Clean(s.SubjectRef),
            LocationAddressFullText = Clean(s.Address),
            LatitudeDegreeValue = lat,
            LongitudeDegreeValue = lon,
            PlannedOperation = operation,
            Labels = labels,
        };
        Judge(s, RecordRules.Check(draft), problems, []);
        return draft;
    }

    /// <summary>The labels as parsed; a value that does not parse is left out (and reported) for the rules to skip.</summary>
    private RecordLabels ParseLabels(SourceLabels s, List<Problem> problems)
    {
        var sensitivity = ParseEnum<Sensitivity>(s.Sensitivity, Fields.Sensitivity, problems, required: true);
        var confidence = ParseEnum<Confidence>(s.Confidence, Fields.Confidence, problems, required: false);
        return new RecordLabels
        {
            // An unparsed sensitivity is already reported; the rules skip the field.
            Sensitivity = sensitivity ?? default,
            Confidence = confidence,
            ControlOfficial = new ControlOfficial
            {
                PersonFullName = Clean(s.ControlOfficialName)!,
                ContactChannel = ParseChannel(s.ControlOfficialChannel, problems)!,
            },
            CaseTrackingID = Clean(s.CaseRef),
            Justification = Clean(s.Justification),
            ReviewDate = ParseFullDate(s.ReviewBy, Fields.ReviewBy, problems),
        };
    }

    /// <summary>The channel's stored form (lower-case address or E.164), or the text as written when its characters break a rule.</summary>
    private string? ParseChannel(string? value, List<Problem> problems)
    {
        var channel = Clean(value);
        // Hidden characters are judged on the text as written: a phone parser would read past them.
        if (channel is null || TextRules.CheckText(Fields.ControlOfficialChannel, channel, RecordLimits.MaxChannelLength) is not null)
        {
            return channel;
        }

        // An agency has a handful of control officials and every record names one: read each channel once.
        if (!_channels.TryGetValue(channel, out var normalized))
        {
            normalized = ChannelRules.Normalize(channel, _settings.PhoneRegions);
            if (_channels.Count < MaxCachedChannels)
            {
                _channels.TryAdd(channel, normalized);
            }
        }
        if (normalized is null)
        {
            problems.Add(Problem.From(ChannelRules.NotAChannel(Fields.ControlOfficialChannel)));
        }
        return normalized;
    }

    private static RecordKind? ParseKind(string? value, List<Problem> problems)
    {
        var kind = ParseEnum<RecordKind>(value, "kind", problems, required: true);
        return kind;
    }

    private static long? ParseVersion(string? value, List<Problem> problems)
    {
        var text = Clean(value);
        if (text is null)
        {
            problems.Add(new Problem(Fields.Version, "is required", RuleCodes.Required));
            return null;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            if (version >= 1)
            {
                return version;
            }
            problems.Add(new Problem(Fields.Version, "must be 1 or more", RuleCodes.OutOfRange));
            return null;
        }

        // A case system's last-modified timestamp is a natural version: it only grows.
        if (HasOffset(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var stamp))
        {
            return stamp.ToUnixTimeMilliseconds();
        }
        problems.Add(new Problem(Fields.Version, "is not a whole number or a timestamp with a UTC offset", RuleCodes.OutOfRange));
        return null;
    }

    private static bool ParseFlag(string? value, string field, List<Problem> problems)
    {
        var text = Clean(value);
        if (text is null)
        {
            return false;
        }
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes" or "y" or "1":
                return true;
            case "false" or "no" or "n" or "0":
                return false;
            default:
                problems.Add(new Problem(field, "is not true or false", RuleCodes.NotAllowed));
                return false;
        }
    }

    private static T? ParseEnum<T>(string? value, string field, List<Problem> problems, bool required)
        where T : struct, Enum
    {
        var text = Clean(value);
        if (text is null)
        {
            if (required)
            {
                problems.Add(new Problem(field, "is required", RuleCodes.Required));
            }
            return null;
        }

        // camelCase in the canonical format; agencies also write "agency-only" or "AGENCY_ONLY".
        var key = new string([.. text.Where(char.IsLetter)]);
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(candidate.ToString(), key, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }
        var allowed = string.Join(", ", Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
        problems.Add(new Problem(field, $"is not one of {allowed}", RuleCodes.NotAllowed));
        return null;
    }

    private static PersonSex ParseSex(string? value, List<Problem> problems)
    {
        var text = Clean(value);
        switch (text?.ToLowerInvariant())
        {
            case null or "u" or "unknown":
                return PersonSex.Unknown;
            case "f" or "female":
                return PersonSex.Female;
            case "m" or "male":
                return PersonSex.Male;
            default:
                problems.Add(new Problem(Fields.Sex, "is not F, M or U", RuleCodes.NotAllowed));
                return PersonSex.Unknown;
        }
    }

    /// <summary>
    /// Identifiers cleaned: the category in its canonical spelling when it names a known one in any case, the id
    /// without separators and in upper case, the jurisdiction in upper case. An id's hidden characters are reported
    /// before the separators go, since stripping would hide them.
    /// </summary>
    private static List<PersonIdentification> ParseIdentifiers(List<SourceIdentifier> source, List<Problem> problems)
    {
        var result = new List<PersonIdentification>();
        foreach (var identifier in source)
        {
            var id = Clean(identifier.Id);
            if (id is null)
            {
                continue;
            }
            if (TextRules.CheckText(Fields.IdentifierId, id, RecordLimits.MaxIdentifierLength) is { } text)
            {
                problems.Add(Problem.From(text));
                continue;
            }
            var category = Clean(identifier.Category);
            result.Add(new PersonIdentification
            {
                IdentificationCategoryText = IdentifierRules.CanonicalCategory(category) ?? category!,
                IdentificationID = new string([.. id.Where(char.IsLetterOrDigit)]).ToUpperInvariant(),
                IdentificationJurisdictionText = Clean(identifier.Jurisdiction)?.ToUpperInvariant(),
            });
        }
        return result;
    }

    /// <summary>Parses a (partial) birth date; whether it is a plausible one is the rules' call.</summary>
    private PartialDate? ParseBirthDate(string? value, List<Problem> problems)
    {
        var text = Clean(value);
        if (text is null)
        {
            return null;
        }
        if (!DateParsing.TryParsePartial(text, _settings.DateFormats, out var date))
        {
            problems.Add(new Problem(Fields.BirthDate, "is not a date (yyyy, yyyy-MM or yyyy-MM-dd)", RuleCodes.NotADate));
            return null;
        }
        return date;
    }

    private DateOnly? ParseFullDate(string? value, string field, List<Problem> problems)
    {
        var text = Clean(value);
        if (text is null)
        {
            return null;
        }
        if (DateParsing.TryParseFull(text, _settings.DateFormats, out var date))
        {
            return date;
        }
        problems.Add(new Problem(field, "is not a date (yyyy-MM-dd)", RuleCodes.NotADate));
        return null;
    }

    private DateTimeOffset? ParseInstant(string? value, string field, List<Problem> problems)
    {
        var text = Clean(value);
        if (text is null)
        {
            return null;
        }
        if (HasOffset(text))
        {
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
            {
                return instant.ToUniversalTime();
            }
        }
        // Unspecified only: a zone designator the offset pattern missed would otherwise be turned into this machine's time.
        else if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local) && local.Kind == DateTimeKind.Unspecified)
        {
            if (_settings.TimeZone is null)
            {
                problems.Add(new Problem(field, "needs a UTC offset (e.g. 2026-12-01T10:00:00Z), or a timeZone in the mapping", RuleCodes.NotADate));
                return null;
            }
            var offset = _settings.TimeZone.GetUtcOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified));
            return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset).ToUniversalTime();
        }
        problems.Add(new Problem(field, "is not a date and time (ISO 8601)", RuleCodes.NotADate));
        return null;
    }

    /// <summary>Parses a number; its range is the rules' call.</summary>
    private static double? ParseNumber(string? value, string field, List<Problem> problems)
    {
        var text = Clean(value);
        if (text is null)
        {
            return null;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            problems.Add(new Problem(field, "is not a number", RuleCodes.OutOfRange));
            return null;
        }
        return number;
    }

    /// <summary>Cleans a name: whitespace collapsed, all-caps or all-lower text in title case. Its characters are the rules' call.</summary>
    private static string? Name(string? value)
    {
        var text = Clean(value);
        if (text is null)
        {
            return null;
        }
        var letters = text.Where(char.IsLetter).ToArray();
        if (letters.Length > 0 && (letters.All(char.IsUpper) || letters.All(char.IsLower)))
        {
            text = CultureInfo.InvariantCulture.TextInfo.ToTitleCase(text.ToLowerInvariant());
        }
        return text;
    }

    /// <summary>
    /// Trims, collapses runs of whitespace (tabs, line breaks, no-break spaces) into one space and puts the text in
    /// Unicode NFC; empty text is <see langword="null"/>. Nothing else is removed: a control or hidden format
    /// character stays, for the rules to reject, so the connector and the Gateway refuse the same texts.
    /// </summary>
    internal static string? Clean(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }
            builder.Append(c);
        }
        var text = builder.ToString();
        // Malformed UTF-16 (a lone surrogate) cannot be normalized; it is kept as is and the rules reject it.
        return text.Length == 0 ? null : IsWellFormed(text) ? text.Normalize(NormalizationForm.FormC) : text;
    }

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }
            i += consumed;
        }
        return true;
    }

    private static bool HasOffset(string text) => OffsetPattern().IsMatch(text);

    // A time (after "T" or the space SQL and spreadsheets write) ending in Z or a UTC offset.
    [GeneratedRegex(@"[T ]\d.*(Z|[+-]\d{2}:?\d{2})$", RegexOptions.IgnoreCase)]
    private static partial Regex OffsetPattern();
}
