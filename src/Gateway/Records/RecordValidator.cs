using System.Text.RegularExpressions;
using SharingHub.Contracts.V1;

namespace SharingHub.Gateway.Records;

/// <summary>
/// The hub's own check of records arriving on the bus. Connectors sanitize before publishing, but the hub
/// trusts no publisher: a record that breaks the contract's rules is set aside with a reason instead of stored.
/// Reasons name the record and field, never the value.
/// </summary>
internal static partial class RecordValidator
{
    public const int MaxLocalIdLength = 128;
    public const int MaxNameLength = 100;
    public const int MaxAliases = 20;
    public const int MaxIdentifiers = 20;
    public const int MaxShortText = 200;
    public const int MaxCaseTrackingIdLength = 64;
    public const int MaxJustificationLength = 1000;
    public const int MaxAddressLength = 300;
    public const double MaxRadiusMeters = 100_000;

    public static string? Validate(PersonRecordPublished? record)
    {
        if (record is null)
        {
            return "person: the record is null";
        }
        var common = Common("person", record.LocalId, record.Version, null, record.Labels);
        if (common is not null)
        {
            return common;
        }
        var at = $"person {record.LocalId}";
        if (!Enum.IsDefined(record.PersonRole))
        {
            return $"{at}: PersonRole is not a known role";
        }
        if (!Enum.IsDefined(record.PersonSex))
        {
            return $"{at}: PersonSex is not a known value";
        }
        if (TooLong(record.PersonGivenName, MaxNameLength) || TooLong(record.PersonSurName, MaxNameLength))
        {
            return $"{at}: a name is longer than {MaxNameLength} characters";
        }
        var aliases = record.PersonAlternateNames ?? [];
        if (aliases.Count > MaxAliases || aliases.Any(a => string.IsNullOrWhiteSpace(a) || a.Length > MaxNameLength))
        {
            return $"{at}: PersonAlternateNames must be at most {MaxAliases} non-empty names";
        }
        var identifiers = record.PersonOtherIdentifications ?? [];
        if (identifiers.Count > MaxIdentifiers || identifiers.Any(i => i is null
                || string.IsNullOrWhiteSpace(i.IdentificationCategoryText) || i.IdentificationCategoryText.Length > 32
                || string.IsNullOrWhiteSpace(i.IdentificationID) || i.IdentificationID.Length > 64
                || TooLong(i.IdentificationJurisdictionText, 8)))
        {
            return $"{at}: PersonOtherIdentifications must be at most {MaxIdentifiers} identifiers with a category and an id";
        }
        if (HasNul([record.PersonGivenName, record.PersonSurName, .. aliases,
                .. identifiers.SelectMany(i => new[] { i.IdentificationCategoryText, i.IdentificationID, i.IdentificationJurisdictionText })]))
        {
            return $"{at}: {NulReason}";
        }
        if (string.IsNullOrWhiteSpace(record.PersonGivenName) && string.IsNullOrWhiteSpace(record.PersonSurName) && identifiers.Count == 0)
        {
            return $"{at}: a person needs a given name, a surname or an identifier";
        }
        if (record.PersonBirthDate is { } birth && !IsValid(birth))
        {
            return $"{at}: PersonBirthDate is not a valid (partial) date";
        }
        if (record.PersonRole == PersonRole.Suspect && string.IsNullOrWhiteSpace(record.Labels.Justification))
        {
            return $"{at}: a suspect needs a justification";
        }
        return null;
    }

    public static string? Validate(PhoneRecordPublished? record)
    {
        if (record is null)
        {
            return "phone: the record is null";
        }
        var common = Common("phone", record.LocalId, record.Version, record.SubjectRef, record.Labels);
        if (common is not null)
        {
            return common;
        }
        var at = $"phone {record.LocalId}";
        if (string.IsNullOrWhiteSpace(record.TelephoneNumberFullID) || record.TelephoneNumberFullID.Length > 64)
        {
            return $"{at}: TelephoneNumberFullID must have 1 to 64 characters";
        }
        if (HasNul([record.TelephoneNumberFullID]))
        {
            return $"{at}: {NulReason}";
        }
        if (record.TelephoneNumberE164 is null || !E164().IsMatch(record.TelephoneNumberE164))
        {
            return $"{at}: TelephoneNumberE164 is not in E.164 form";
        }
        if (record.ValidFromDate is { } from && record.ValidToDate is { } to && to < from)
        {
            return $"{at}: ValidToDate is before ValidFromDate";
        }
        return null;
    }

    public static string? Validate(LocationRecordPublished? record)
    {
        if (record is null)
        {
            return "location: the record is null";
        }
        var common = Common("location", record.LocalId, record.Version, record.SubjectRef, record.Labels);
        if (common is not null)
        {
            return common;
        }
        var at = $"location {record.LocalId}";
        if (TooLong(record.LocationAddressFullText, MaxAddressLength))
        {
            return $"{at}: LocationAddressFullText is longer than {MaxAddressLength} characters";
        }
        if (HasNul([record.LocationAddressFullText]))
        {
            return $"{at}: {NulReason}";
        }
        var (lat, lon) = (record.LatitudeDegreeValue, record.LongitudeDegreeValue);
        if ((lat is null) != (lon is null))
        {
            return $"{at}: latitude and longitude go together";
        }
        if (lat is { } la && (!double.IsFinite(la) || la < -90 || la > 90) || lon is { } lo && (!double.IsFinite(lo) || lo < -180 || lo > 180))
        {
            return $"{at}: coordinates are out of range";
        }
        if (string.IsNullOrWhiteSpace(record.LocationAddressFullText) && lat is null)
        {
            return $"{at}: a location needs an address or coordinates";
        }
        if (record.PlannedOperation is { } operation)
        {
            if (lat is null)
            {
                return $"{at}: a planned operation needs coordinates";
            }
            if (operation.EndDateTime <= operation.StartDateTime)
            {
                return $"{at}: the operation's EndDateTime is not after its StartDateTime";
            }
            if (!double.IsFinite(operation.RadiusMeters) || operation.RadiusMeters <= 0 || operation.RadiusMeters > MaxRadiusMeters)
            {
                return $"{at}: RadiusMeters must be more than 0 and at most {MaxRadiusMeters}";
            }
        }
        return null;
    }

    public static string? Validate(RecordWithdrawn? record)
    {
        if (record is null)
        {
            return "withdrawal: the record is null";
        }
        if (!Enum.IsDefined(record.RecordKind))
        {
            return "withdrawal: RecordKind is not a known kind";
        }
        return Key("withdrawal", record.LocalId, record.Version);
    }

    private static string? Common(string kind, string? localId, long version, string? subjectRef, RecordLabels? labels)
    {
        var key = Key(kind, localId, version);
        if (key is not null)
        {
            return key;
        }
        var at = $"{kind} {localId}";
        if (subjectRef is not null && (subjectRef.Length is 0 or > MaxLocalIdLength || subjectRef.Any(char.IsControl)))
        {
            return $"{at}: SubjectRef must have 1 to {MaxLocalIdLength} printable characters";
        }
        if (labels is null)
        {
            return $"{at}: Labels are required";
        }
        if (!Enum.IsDefined(labels.Sensitivity))
        {
            return $"{at}: Labels.Sensitivity is not a known sensitivity";
        }
        if (labels.Confidence is { } confidence && !Enum.IsDefined(confidence))
        {
            return $"{at}: Labels.Confidence is not a known confidence";
        }
        if (labels.ControlOfficial is null || string.IsNullOrWhiteSpace(labels.ControlOfficial.PersonFullName)
            || string.IsNullOrWhiteSpace(labels.ControlOfficial.ContactChannel)
            || labels.ControlOfficial.PersonFullName.Length > MaxShortText || labels.ControlOfficial.ContactChannel.Length > MaxShortText)
        {
            return $"{at}: Labels.ControlOfficial needs a name and a contact channel";
        }
        if (TooLong(labels.CaseTrackingID, MaxCaseTrackingIdLength) || TooLong(labels.Justification, MaxJustificationLength))
        {
            return $"{at}: a label is too long";
        }
        if (HasNul([labels.ControlOfficial.PersonFullName, labels.ControlOfficial.ContactChannel, labels.CaseTrackingID, labels.Justification]))
        {
            return $"{at}: {NulReason}";
        }
        return null;
    }

    private static string? Key(string kind, string? localId, long version)
    {
        if (string.IsNullOrWhiteSpace(localId) || localId.Length > MaxLocalIdLength || localId.Any(char.IsControl))
        {
            return $"{kind}: LocalId must have 1 to {MaxLocalIdLength} printable characters";
        }
        return version < 1 ? $"{kind} {localId}: Version must be 1 or more" : null;
    }

    private static bool IsValid(PartialDate date)
    {
        if (date.Year is < 1800 or > 9999)
        {
            return false;
        }
        if (date.Month is null)
        {
            return date.Day is null;
        }
        if (date.Month is < 1 or > 12)
        {
            return false;
        }
        return date.Day is null || (date.Day >= 1 && date.Day <= DateTime.DaysInMonth(date.Year, date.Month.Value));
    }

    private static bool TooLong(string? value, int max) => value is not null && value.Length > max;

    // PostgreSQL text cannot hold U+0000: one such value would fail the COPY, and with it the whole batch.
    private const string NulReason = "a text field contains a NUL character";

    private static bool HasNul(IEnumerable<string?> values) => values.Any(v => v is not null && v.Contains('\0', StringComparison.Ordinal));

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();
}
