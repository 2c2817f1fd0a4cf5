using SharingHub.Matching.Normalization;
using SharingHub.Matching.Rules;

namespace SharingHub.Matching;

/// <summary>Sex as far as matching cares.</summary>
public enum Sex
{
    Unknown,
    Female,
    Male,
}

/// <summary>A type-qualified identifier: folded type (<c>ssn</c>, <c>passport:mx</c>) and upper-case alphanumeric value.</summary>
public readonly record struct NormalizedIdentifier(string Type, string Value)
{
    public override string ToString() => $"{Type}:{Value}";
}

/// <summary>A phone in E.164 with its validity, and the subject it points to.</summary>
public sealed record NormalizedPhone
{
    /// <summary>A phone in E.164 (<paramref name="e164"/>) with its validity, and the subject it points to.</summary>
    public NormalizedPhone(string e164, DateRange validity, string? subjectRef)
        : this(e164, validity, subjectRef, null)
    {
    }

    // With the national number read back from stored features (RecordFeatures), so libphonenumber is not run again.
    internal NormalizedPhone(string e164, DateRange validity, string? subjectRef, string? nationalNumber)
    {
        E164 = e164;
        Validity = validity;
        SubjectRef = subjectRef;
        NationalNumber = nationalNumber ?? SharingHub.Rules.PhoneRules.NationalNumberOf(e164) ?? e164;
    }

    public string E164 { get; init; }

    public DateRange Validity { get; init; }

    public string? SubjectRef { get; init; }

    /// <summary>
    /// The national significant number (<c>8991234567</c> of <c>+528991234567</c>): two phones with the same one under
    /// different country codes agree partially on a person, and are never a shared phone.
    /// </summary>
    public string NationalNumber { get; }
}

/// <summary>A subject's place: a normalized address and/or a point, its validity, and the subject it points to.</summary>
public sealed record NormalizedPlace(NormalizedAddress? Address, GeoPoint? Point, TimeWindow Validity, string? SubjectRef);

/// <summary>A planned operation: a circle and a closed time window.</summary>
public sealed record PlannedOperation(GeoPoint Center, double RadiusMeters, TimeWindow Window);

/// <summary>A field that could not be normalized and was left out of matching, with the reason.</summary>
public sealed record NormalizationProblem(string Field, string Reason);

/// <summary>
/// Everything known about one subject, normalized: the person record's names, birth date, sex and identifiers,
/// plus the phones and places of the same agency that point to it. Build with
/// <see cref="MatchingEngine.BuildPersonEvidence"/>; compare with <see cref="MatchingEngine.ScorePersons(PersonEvidence, PersonEvidence)"/>.
/// </summary>
public sealed class PersonEvidence
{
    internal PersonEvidence(
        PersonName[] names,
        PartialDate? birthDate,
        Sex sex,
        NormalizedIdentifier[] identifiers,
        NormalizedPhone[] phones,
        NormalizedAddress[] addresses,
        NormalizationProblem[] problems)
    {
        Names = names;
        BirthDate = birthDate;
        Sex = sex;
        Identifiers = identifiers;
        Phones = phones;
        Addresses = addresses;
        Problems = problems;
    }

    /// <summary>The primary name first, then aliases.</summary>
    public IReadOnlyList<PersonName> Names { get; }

    public PartialDate? BirthDate { get; }

    public Sex Sex { get; }

    public IReadOnlyList<NormalizedIdentifier> Identifiers { get; }

    public IReadOnlyList<NormalizedPhone> Phones { get; }

    public IReadOnlyList<NormalizedAddress> Addresses { get; }

    /// <summary>Fields that were present but could not be normalized (they count as missing).</summary>
    public IReadOnlyList<NormalizationProblem> Problems { get; }
}
