using SharingHub.Contracts.V1;

namespace SharingHub.Rules;

/// <summary>
/// Every rule of a whole record, as published on the bus: what the Gateway runs on each record it receives and the
/// connector runs on each record before it publishes. Returns all violations found (empty when the record is good);
/// a person's today is the caller's clock, for birth dates in the future.
/// </summary>
public static class RecordRules
{
    /// <summary>Every violation of a person record.</summary>
    public static IReadOnlyList<RuleViolation> Check(PersonRecordPublished record, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(record);
        var violations = new List<RuleViolation>();
        Key(record.LocalId, record.Version, violations);
        Enumeration(Fields.Role, record.PersonRole, violations);
        Enumeration(Fields.Sex, record.PersonSex, violations);
        Add(violations, TextRules.CheckName(Fields.GivenName, record.PersonGivenName));
        Add(violations, TextRules.CheckName(Fields.Surname, record.PersonSurName));
        var aliases = record.PersonAlternateNames ?? [];
        if (aliases.Count > RecordLimits.MaxAliases)
        {
            violations.Add(new RuleViolation(Fields.Aliases, RuleCodes.TooMany, $"more than {RecordLimits.MaxAliases} aliases"));
        }
        foreach (var alias in aliases)
        {
            Add(violations, TextRules.CheckName(Fields.Aliases, alias, required: true));
        }
        if (record.PersonBirthDate is { } birth)
        {
            Add(violations, DateRules.CheckBirthDate(Fields.BirthDate, birth.Year, birth.Month, birth.Day, today));
        }
        var identifiers = record.PersonOtherIdentifications ?? [];
        if (identifiers.Count > RecordLimits.MaxIdentifiers)
        {
            violations.Add(new RuleViolation(Fields.Identifiers, RuleCodes.TooMany, $"more than {RecordLimits.MaxIdentifiers} identifiers"));
        }
        foreach (var identifier in identifiers)
        {
            if (identifier is null)
            {
                violations.Add(new RuleViolation(Fields.Identifiers, RuleCodes.Required, "an identifier is empty"));
                continue;
            }
            violations.AddRange(IdentifierRules.Check(identifier.IdentificationCategoryText, identifier.IdentificationID,
                identifier.IdentificationJurisdictionText));
        }
        if (string.IsNullOrEmpty(record.PersonGivenName) && string.IsNullOrEmpty(record.PersonSurName) && identifiers.Count == 0)
        {
            violations.Add(new RuleViolation(Fields.Surname, RuleCodes.Incomplete, "a person needs a given name, a surname or an identifier"));
        }
        Labels(record.Labels, violations);
        if (record.PersonRole == PersonRole.Suspect && string.IsNullOrEmpty(record.Labels?.Justification))
        {
            violations.Add(new RuleViolation(Fields.Justification, RuleCodes.Required,
                "a suspect needs a justification (28 CFR 23 reasonable suspicion)"));
        }
        return Distinct(violations);
    }

    /// <summary>Every violation of a phone record.</summary>
    public static IReadOnlyList<RuleViolation> Check(PhoneRecordPublished record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var violations = new List<RuleViolation>();
        Key(record.LocalId, record.Version, violations);
        SubjectRef(record.SubjectRef, violations);
        violations.AddRange(PhoneRules.CheckNumber(record.TelephoneNumberFullID, record.TelephoneNumberE164));
        Add(violations, DateRules.CheckOrder(Fields.ValidTo, record.ValidFromDate, record.ValidToDate, Fields.ValidFrom));
        Labels(record.Labels, violations);
        return Distinct(violations);
    }

    /// <summary>Every violation of a location record (a place or a planned operation).</summary>
    public static IReadOnlyList<RuleViolation> Check(LocationRecordPublished record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var violations = new List<RuleViolation>();
        Key(record.LocalId, record.Version, violations);
        SubjectRef(record.SubjectRef, violations);
        Add(violations, TextRules.CheckText(Fields.Address, record.LocationAddressFullText, RecordLimits.MaxAddressLength));
        var (lat, lon) = (record.LatitudeDegreeValue, record.LongitudeDegreeValue);
        Add(violations, Range(Fields.Lat, lat, -90, 90));
        Add(violations, Range(Fields.Lon, lon, -180, 180));
        if ((lat is null) != (lon is null))
        {
            violations.Add(new RuleViolation(lat is null ? Fields.Lat : Fields.Lon, RuleCodes.Incomplete, "latitude and longitude go together"));
        }
        else if (lat is null && string.IsNullOrEmpty(record.LocationAddressFullText))
        {
            violations.Add(new RuleViolation(Fields.Address, RuleCodes.Incomplete, "a location needs an address or coordinates"));
        }
        if (record.PlannedOperation is { } operation)
        {
            if (lat is null && lon is null)
            {
                violations.Add(new RuleViolation(Fields.Lat, RuleCodes.Incomplete, "a planned operation needs coordinates (lat, lon)"));
            }
            if (operation.EndDateTime <= operation.StartDateTime)
            {
                violations.Add(new RuleViolation(Fields.EndsAt, RuleCodes.BeforeStart, "is not after startsAt"));
            }
            if (!double.IsFinite(operation.RadiusMeters) || operation.RadiusMeters <= 0 || operation.RadiusMeters > RecordLimits.MaxRadiusMeters)
            {
                violations.Add(new RuleViolation(Fields.RadiusMeters, RuleCodes.OutOfRange, $"is outside 0..{RecordLimits.MaxRadiusMeters:0}"));
            }
        }
        Labels(record.Labels, violations);
        return Distinct(violations);
    }

    /// <summary>Every violation of a withdrawal.</summary>
    public static IReadOnlyList<RuleViolation> Check(RecordWithdrawn record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var violations = new List<RuleViolation>();
        Enumeration(Fields.Kind, record.RecordKind, violations);
        Key(record.LocalId, record.Version, violations);
        return violations;
    }

    /// <summary>The record key's rules: a local id of safe text and a version of 1 or more.</summary>
    public static void Key(string? localId, long version, List<RuleViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        Add(violations, TextRules.CheckText(Fields.LocalId, localId, RecordLimits.MaxLocalIdLength, required: true));
        if (version < 1)
        {
            violations.Add(new RuleViolation(Fields.Version, RuleCodes.OutOfRange, "must be 1 or more"));
        }
    }

    private static void SubjectRef(string? subjectRef, List<RuleViolation> violations)
    {
        if (subjectRef is not null)
        {
            Add(violations, TextRules.CheckText(Fields.SubjectRef, subjectRef, RecordLimits.MaxLocalIdLength, required: true));
        }
    }

    private static void Labels(RecordLabels? labels, List<RuleViolation> violations)
    {
        if (labels is null)
        {
            violations.Add(new RuleViolation(Fields.Sensitivity, RuleCodes.Required, "the record has no labels"));
            return;
        }
        Enumeration(Fields.Sensitivity, labels.Sensitivity, violations);
        if (labels.Confidence is { } confidence)
        {
            Enumeration(Fields.Confidence, confidence, violations);
        }
        Add(violations, TextRules.CheckText(Fields.ControlOfficialName, labels.ControlOfficial?.PersonFullName,
            RecordLimits.MaxControlOfficialNameLength, required: true));
        Add(violations, ChannelRules.Check(Fields.ControlOfficialChannel, labels.ControlOfficial?.ContactChannel));
        Add(violations, TextRules.CheckText(Fields.CaseRef, labels.CaseTrackingID, RecordLimits.MaxCaseRefLength));
        Add(violations, TextRules.CheckText(Fields.Justification, labels.Justification, RecordLimits.MaxJustificationLength));
    }

    private static void Enumeration<T>(string field, T value, List<RuleViolation> violations)
        where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            var allowed = string.Join(", ", Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
            violations.Add(new RuleViolation(field, RuleCodes.NotAllowed, $"is not one of {allowed}"));
        }
    }

    private static RuleViolation? Range(string field, double? value, double min, double max) =>
        value is { } v && (!double.IsFinite(v) || v < min || v > max)
            ? new RuleViolation(field, RuleCodes.OutOfRange, FormattableString.Invariant($"is outside {min}..{max}"))
            : null;

    private static void Add(List<RuleViolation> violations, RuleViolation? violation)
    {
        if (violation is not null)
        {
            violations.Add(violation);
        }
    }

    // Two aliases with the same fault are one line in a report.
    private static List<RuleViolation> Distinct(List<RuleViolation> violations) => [.. violations.Distinct()];
}
