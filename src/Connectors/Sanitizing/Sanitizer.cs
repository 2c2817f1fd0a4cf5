using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PhoneNumbers;
using SharingHub.Contracts.V1;

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
/// Turns a <see cref="SourceRecord"/> into a contract record. It keeps only the contract's fields, normalizes
/// whitespace and case, parses dates (full or partial) and phones (E.164, keeping the raw form), and rejects
/// a record that lacks a required label, a suspect without justification, or a value that does not parse.
/// A record is either published whole or not at all; the one exception is an optional field its mapping lists in
/// <c>omitInvalid</c> (<see cref="OmittableFields"/>): an invalid value there is left out and reported, and the
/// record is published without it.
/// </summary>
internal sealed partial class Sanitizer(SanitizerSettings settings)
{
    internal const int MaxLocalIdLength = 128;
    internal const int MaxNameLength = 100;
    internal const int MaxAliases = 20;
    internal const int MaxAddressLength = 300;
    internal const int MaxJustificationLength = 1000;
    internal const int MaxCaseRefLength = 64;
    internal const double MaxRadiusMeters = 100_000;

    /// <summary>
    /// Per kind, the optional fields whose invalid value may be omitted rather than reject the record: values the
    /// record still means the same without (an unknown birth date, sex or validity). Keys, labels, names and
    /// identifiers (what matching and releasability rest on), a phone's number and a location's place or operation
    /// window are not: without them the record would not say what the agency said.
    /// </summary>
    internal static readonly FrozenDictionary<string, FrozenSet<string>> OmittableFields = new Dictionary<string, FrozenSet<string>>(StringComparer.Ordinal)
    {
        ["person"] = FrozenSet.ToFrozenSet(["birthDate", "sex"], StringComparer.Ordinal),
        ["phone"] = FrozenSet.ToFrozenSet(["validFrom", "validTo"], StringComparer.Ordinal),
        ["location"] = FrozenSet<string>.Empty,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    private const int MaxCachedChannels = 1024;

    private readonly SanitizerSettings _settings = settings;
    private readonly ConcurrentDictionary<string, string?> _channels = new(StringComparer.Ordinal);

    public SanitizeResult Sanitize(SourceRecord source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var problems = new List<Problem>();
        var kind = ParseKind(source.Kind, problems);
        var localId = Identifier(source.LocalId, "localId", problems, required: true);
        var version = ParseVersion(source.Version, problems);
        var withdrawn = ParseFlag(source.Withdrawn, "withdrawn", problems);

        if (kind is null || localId is null || version is null || problems.Count > 0)
        {
            return new SanitizeResult(null, problems, []);
        }

        if (withdrawn)
        {
            return new SanitizeResult(new RecordWithdrawn { RecordKind = kind.Value, LocalId = localId, Version = version.Value }, problems, []);
        }

        var labels = ParseLabels(source.Labels, problems);
        var omitted = new List<Problem>();
        object? record = kind.Value switch
        {
            RecordKind.Person => Person(source, localId, version.Value, labels, problems, omitted),
            RecordKind.Phone => Phone(source, localId, version.Value, labels, problems, omitted),
            RecordKind.Location => Location(source, localId, version.Value, labels, problems),
            _ => throw new InvalidOperationException($"Unhandled record kind {kind}."),
        };
        // A rejected record's omittable problems are problems like the others: nothing of it is published.
        return problems.Count == 0 && labels is not null
            ? new SanitizeResult(record, problems, omitted)
            : new SanitizeResult(null, [.. problems, .. omitted], []);
    }

    /// <summary>
    /// Where the problems of an optional field go: to <paramref name="omitted"/> when the record's mapping lists the
    /// field in <c>omitInvalid</c> (its parser then returns no value, so the record goes without it), else to
    /// <paramref name="problems"/>, which reject the record.
    /// </summary>
    private static List<Problem> ProblemsOf(SourceRecord s, string field, List<Problem> problems, List<Problem> omitted) =>
        s.OmitInvalid.Contains(field) ? omitted : problems;

    private PersonRecordPublished? Person(SourceRecord s, string localId, long version, RecordLabels? labels, List<Problem> problems, List<Problem> omitted)
    {
        var role = ParseEnum<PersonRole>(s.Role, "role", problems, required: true);
        var given = Name(s.GivenName, "givenName", problems);
        var surname = Name(s.Surname, "surname", problems);
        var aliases = new List<string>();
        foreach (var alias in s.Aliases)
        {
            var clean = Name(alias, "aliases", problems);
            if (clean is not null && !aliases.Contains(clean, StringComparer.OrdinalIgnoreCase))
            {
                aliases.Add(clean);
            }
        }
        if (aliases.Count > MaxAliases)
        {
            problems.Add(new Problem("aliases", $"more than {MaxAliases} aliases"));
        }

        var birthDate = ParseBirthDate(s.BirthDate, ProblemsOf(s, "birthDate", problems, omitted));
        var sex = ParseSex(s.Sex, ProblemsOf(s, "sex", problems, omitted));
        var identifiers = ParseIdentifiers(s.Identifiers, problems);

        if (given is null && surname is null && identifiers.Count == 0 && !problems.Any(p => p.Field is "givenName" or "surname"))
        {
            problems.Add(new Problem("surname", "a person needs a given name, a surname or an identifier"));
        }
        // Read from the source, not the parsed labels: a suspect with another label problem must hear of this one too.
        if (role == PersonRole.Suspect && Clean(s.Labels.Justification) is null)
        {
            problems.Add(new Problem("labels.justification", "a suspect needs a justification (28 CFR 23 reasonable suspicion)"));
        }
        if (role is null || labels is null || problems.Count > 0)
        {
            return null;
        }

        return new PersonRecordPublished
        {
            LocalId = localId,
            Version = version,
            PersonRole = role.Value,
            PersonGivenName = given,
            PersonSurName = surname,
            PersonAlternateNames = aliases,
            PersonBirthDate = birthDate,
            PersonSex = sex,
            PersonOtherIdentifications = identifiers,
            Labels = labels,
        };
    }

    private PhoneRecordPublished? Phone(SourceRecord s, string localId, long version, RecordLabels? labels, List<Problem> problems, List<Problem> omitted)
    {
        var subjectRef = Identifier(s.SubjectRef, "subjectRef", problems, required: false);
        var raw = Clean(s.Number);
        string? e164 = null;
        if (raw is null)
        {
            problems.Add(new Problem("number", "is required"));
        }
        else
        {
            e164 = ToE164(raw, _settings.PhoneRegion);
            if (e164 is null)
            {
                problems.Add(new Problem("number", $"is not a phone number (read with default region {_settings.PhoneRegion})"));
            }
            else if (raw.Length > 64)
            {
                problems.Add(new Problem("number", "is longer than 64 characters"));
            }
        }

        var from = ParseFullDate(s.ValidFrom, "validFrom", ProblemsOf(s, "validFrom", problems, omitted));
        var to = ParseFullDate(s.ValidTo, "validTo", ProblemsOf(s, "validTo", problems, omitted));
        if (from is not null && to is not null && to < from)
        {
            problems.Add(new Problem("validTo", "is before validFrom"));
        }
        if (labels is null || problems.Count > 0)
        {
            return null;
        }

        return new PhoneRecordPublished
        {
            LocalId = localId,
            Version = version,
            SubjectRef = subjectRef,
            TelephoneNumberFullID = raw!,
            TelephoneNumberE164 = e164!,
            ValidFromDate = from,
            ValidToDate = to,
            Labels = labels,
        };
    }

    private LocationRecordPublished? Location(SourceRecord s, string localId, long version, RecordLabels? labels, List<Problem> problems)
    {
        var subjectRef = Identifier(s.SubjectRef, "subjectRef", problems, required: false);
        var address = Clean(s.Address);
        if (address is not null && address.Length > MaxAddressLength)
        {
            problems.Add(new Problem("address", $"is longer than {MaxAddressLength} characters"));
        }

        var lat = ParseNumber(s.Lat, "lat", -90, 90, problems);
        var lon = ParseNumber(s.Lon, "lon", -180, 180, problems);
        if ((lat is null) != (lon is null) && !problems.Any(p => p.Field is "lat" or "lon"))
        {
            problems.Add(new Problem(lat is null ? "lat" : "lon", "latitude and longitude go together"));
        }

        var startsAt = ParseInstant(s.StartsAt, "startsAt", problems);
        var endsAt = ParseInstant(s.EndsAt, "endsAt", problems);
        var radius = ParseNumber(s.RadiusMeters, "radiusMeters", double.Epsilon, MaxRadiusMeters, problems);
        PlannedOperation? operation = null;
        var operationParts = (startsAt is null ? 0 : 1) + (endsAt is null ? 0 : 1) + (radius is null ? 0 : 1);
        if (operationParts is 1 or 2 && !problems.Any(p => p.Field is "startsAt" or "endsAt" or "radiusMeters"))
        {
            var missing = startsAt is null ? "startsAt" : endsAt is null ? "endsAt" : "radiusMeters";
            problems.Add(new Problem(missing, "a planned operation needs startsAt, endsAt and radiusMeters"));
        }
        else if (operationParts == 3)
        {
            if (endsAt <= startsAt)
            {
                problems.Add(new Problem("endsAt", "is not after startsAt"));
            }
            if (lat is null)
            {
                problems.Add(new Problem("lat", "a planned operation needs coordinates (lat, lon)"));
            }
            operation = new PlannedOperation { StartDateTime = startsAt!.Value, EndDateTime = endsAt!.Value, RadiusMeters = radius!.Value };
        }

        if (address is null && lat is null && !problems.Any(p => p.Field is "lat" or "lon"))
        {
            problems.Add(new Problem("address", "a location needs an address or coordinates"));
        }
        if (labels is null || problems.Count > 0)
        {
            return null;
        }

        return new LocationRecordPublished
        {
            LocalId = localId,
            Version = version,
            SubjectRef = subjectRef,
            LocationAddressFullText = address,
            LatitudeDegreeValue = lat,
            LongitudeDegreeValue = lon,
            PlannedOperation = operation,
            Labels = labels,
        };
    }

    private RecordLabels? ParseLabels(SourceLabels s, List<Problem> problems)
    {
        var count = problems.Count;
        var sensitivity = ParseEnum<Sensitivity>(s.Sensitivity, "labels.sensitivity", problems, required: true);
        var confidence = ParseEnum<Confidence>(s.Confidence, "labels.confidence", problems, required: false);
        var officialName = Clean(s.ControlOfficialName);
        if (officialName is null)
        {
            problems.Add(new Problem("labels.controlOfficial.name", "is required"));
        }
        else if (officialName.Length > 200)
        {
            problems.Add(new Problem("labels.controlOfficial.name", "is longer than 200 characters"));
        }

        var channel = ParseChannel(s.ControlOfficialChannel, problems);
        var caseRef = Clean(s.CaseRef);
        if (caseRef is not null && caseRef.Length > MaxCaseRefLength)
        {
            problems.Add(new Problem("labels.caseRef", $"is longer than {MaxCaseRefLength} characters"));
        }

        var justification = Clean(s.Justification);
        if (justification is not null && justification.Length > MaxJustificationLength)
        {
            problems.Add(new Problem("labels.justification", $"is longer than {MaxJustificationLength} characters"));
        }

        var reviewBy = ParseFullDate(s.ReviewBy, "labels.reviewBy", problems);
        if (problems.Count > count || sensitivity is null)
        {
            return null;
        }

        return new RecordLabels
        {
            Sensitivity = sensitivity.Value,
            Confidence = confidence,
            ControlOfficial = new ControlOfficial { PersonFullName = officialName!, ContactChannel = channel! },
            CaseTrackingID = caseRef,
            Justification = justification,
            ReviewDate = reviewBy,
        };
    }

    private string? ParseChannel(string? value, List<Problem> problems)
    {
        var channel = Clean(value);
        if (channel is null)
        {
            problems.Add(new Problem("labels.controlOfficial.channel", "is required"));
            return null;
        }
        if (EmailPattern().IsMatch(channel))
        {
            return channel.ToLowerInvariant();
        }

        // An agency has a handful of control officials and every record names one: parse each number once.
        if (!_channels.TryGetValue(channel, out var e164))
        {
            e164 = ToE164(channel, _settings.PhoneRegion);
            if (_channels.Count < MaxCachedChannels)
            {
                _channels.TryAdd(channel, e164);
            }
        }
        if (e164 is null)
        {
            problems.Add(new Problem("labels.controlOfficial.channel", "is neither a phone number nor an email address"));
        }
        return e164;
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
            problems.Add(new Problem("version", "is required"));
            return null;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            if (version >= 1)
            {
                return version;
            }
            problems.Add(new Problem("version", "must be 1 or more"));
            return null;
        }

        // A case system's last-modified timestamp is a natural version: it only grows.
        if (HasOffset(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var stamp))
        {
            return stamp.ToUnixTimeMilliseconds();
        }
        problems.Add(new Problem("version", "is not a whole number or a timestamp with a UTC offset"));
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
                problems.Add(new Problem(field, "is not true or false"));
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
                problems.Add(new Problem(field, "is required"));
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
        problems.Add(new Problem(field, $"is not one of {allowed}"));
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
                problems.Add(new Problem("sex", "is not F, M or U"));
                return PersonSex.Unknown;
        }
    }

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
            var category = Clean(identifier.Category);
            if (category is null || !CategoryPattern().IsMatch(category))
            {
                problems.Add(new Problem("identifiers.category", "is required and must be a camelCase word such as passport"));
                continue;
            }

            var normalized = new string([.. id.Where(char.IsLetterOrDigit)]).ToUpperInvariant();
            if (normalized.Length is 0 or > 64)
            {
                problems.Add(new Problem("identifiers.id", "must have 1 to 64 letters or digits"));
                continue;
            }
            var jurisdiction = Clean(identifier.Jurisdiction)?.ToUpperInvariant();
            if (jurisdiction is not null && !JurisdictionPattern().IsMatch(jurisdiction))
            {
                problems.Add(new Problem("identifiers.jurisdiction", "must be a country or state code such as MX or US-TX"));
                continue;
            }
            result.Add(new PersonIdentification
            {
                IdentificationCategoryText = category,
                IdentificationID = normalized,
                IdentificationJurisdictionText = jurisdiction,
            });
        }
        return result;
    }

    private PartialDate? ParseBirthDate(string? value, List<Problem> problems)
    {
        var text = Clean(value);
        if (text is null)
        {
            return null;
        }
        if (!DateParsing.TryParsePartial(text, _settings.DateFormats, out var date))
        {
            problems.Add(new Problem("birthDate", "is not a date (yyyy, yyyy-MM or yyyy-MM-dd)"));
            return null;
        }
        if (date.Year < 1900 || date.Year > _settings.Today.Year
            || (date.Year == _settings.Today.Year && date.Month > _settings.Today.Month)
            || (date.Day is not null && new DateOnly(date.Year, date.Month!.Value, date.Day.Value) > _settings.Today))
        {
            problems.Add(new Problem("birthDate", "is not between 1900 and today"));
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
        problems.Add(new Problem(field, "is not a date (yyyy-MM-dd)"));
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
                problems.Add(new Problem(field, "needs a UTC offset (e.g. 2026-12-01T10:00:00Z), or a timeZone in the mapping"));
                return null;
            }
            var offset = _settings.TimeZone.GetUtcOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified));
            return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset).ToUniversalTime();
        }
        problems.Add(new Problem(field, "is not a date and time (ISO 8601)"));
        return null;
    }

    private static double? ParseNumber(string? value, string field, double min, double max, List<Problem> problems)
    {
        var text = Clean(value);
        if (text is null)
        {
            return null;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            problems.Add(new Problem(field, "is not a number"));
            return null;
        }
        if (number < min || number > max)
        {
            problems.Add(new Problem(field, $"is outside {(min == double.Epsilon ? 0 : min).ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}"));
            return null;
        }
        return number;
    }

    private static string? Identifier(string? value, string field, List<Problem> problems, bool required)
    {
        var text = Clean(value);
        if (text is null)
        {
            if (required)
            {
                problems.Add(new Problem(field, "is required"));
            }
            return null;
        }
        if (text.Length > MaxLocalIdLength)
        {
            problems.Add(new Problem(field, $"is longer than {MaxLocalIdLength} characters"));
            return null;
        }
        return text;
    }

    /// <summary>Cleans a name: whitespace collapsed, all-caps or all-lower text in title case, nothing but name characters.</summary>
    private static string? Name(string? value, string field, List<Problem> problems)
    {
        var text = Clean(value);
        if (text is null)
        {
            return null;
        }
        if (text.Length > MaxNameLength)
        {
            problems.Add(new Problem(field, $"is longer than {MaxNameLength} characters"));
            return null;
        }
        if (!text.All(c => char.IsLetter(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark
                || c is ' ' or '-' or '\'' or '.' or '’' or ','))
        {
            problems.Add(new Problem(field, "has characters that do not belong in a name"));
            return null;
        }

        var letters = text.Where(char.IsLetter).ToArray();
        if (letters.All(char.IsUpper) || letters.All(char.IsLower))
        {
            text = CultureInfo.InvariantCulture.TextInfo.ToTitleCase(text.ToLowerInvariant());
        }
        return text;
    }

    /// <summary>Trims, collapses runs of whitespace and drops control characters; empty text is <see langword="null"/>.</summary>
    internal static string? Clean(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value.Normalize(NormalizationForm.FormC))
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format)
            {
                continue;
            }
            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }
            builder.Append(c);
        }
        return builder.Length == 0 ? null : builder.ToString();
    }

    internal static string? ToE164(string text, string region)
    {
        PhoneNumber number;
        try
        {
            number = Phones.Parse(text, region);
        }
        catch (NumberParseException)
        {
            return null;
        }

        // Mexico dropped the mobile "1" after +52 in 2019/2020; older exports still write +52 1 55 ….
        // It is the same line, and must give the same E.164 for a US and a Mexican agency to meet on it.
        if (number.CountryCode == MexicoCountryCode
            && Phones.IsPossibleNumberWithReason(number) != PhoneNumberUtil.ValidationResult.IS_POSSIBLE
            && number.NationalNumber is >= 10_000_000_000 and < 20_000_000_000)
        {
            number = new PhoneNumber.Builder().MergeFrom(number).SetNationalNumber(number.NationalNumber - 10_000_000_000).Build();
        }

        // IS_POSSIBLE_LOCAL_ONLY (a US number without its area code) has no E.164 form: "+1" and seven digits
        // would be a wrong number that could match another agency's wrong number.
        return Phones.IsPossibleNumberWithReason(number) == PhoneNumberUtil.ValidationResult.IS_POSSIBLE
            ? Phones.Format(number, PhoneNumberFormat.E164)
            : null;
    }

    private const int MexicoCountryCode = 52;

    private static bool HasOffset(string text) => OffsetPattern().IsMatch(text);

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^[a-z][A-Za-z0-9]{0,31}$")]
    private static partial Regex CategoryPattern();

    [GeneratedRegex(@"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")]
    private static partial Regex JurisdictionPattern();

    // A time (after "T" or the space SQL and spreadsheets write) ending in Z or a UTC offset.
    [GeneratedRegex(@"[T ]\d.*(Z|[+-]\d{2}:?\d{2})$", RegexOptions.IgnoreCase)]
    private static partial Regex OffsetPattern();
}
