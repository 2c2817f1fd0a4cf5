namespace SharingHub.Rules;

/// <summary>Field names as the canonical file format spells them: what a <see cref="RuleViolation"/> names.</summary>
public static class Fields
{
    public const string Kind = "kind";
    public const string LocalId = "localId";
    public const string Version = "version";
    public const string SubjectRef = "subjectRef";
    public const string Role = "role";
    public const string GivenName = "givenName";
    public const string Surname = "surname";
    public const string Aliases = "aliases";
    public const string BirthDate = "birthDate";
    public const string Sex = "sex";
    public const string Identifiers = "identifiers";
    public const string IdentifierCategory = "identifiers.category";
    public const string IdentifierId = "identifiers.id";
    public const string IdentifierJurisdiction = "identifiers.jurisdiction";
    public const string Number = "number";
    public const string E164 = "e164";
    public const string ValidFrom = "validFrom";
    public const string ValidTo = "validTo";
    public const string Address = "address";
    public const string Lat = "lat";
    public const string Lon = "lon";
    public const string StartsAt = "startsAt";
    public const string EndsAt = "endsAt";
    public const string RadiusMeters = "radiusMeters";
    public const string Sensitivity = "labels.sensitivity";
    public const string Confidence = "labels.confidence";
    public const string ControlOfficialName = "labels.controlOfficial.name";
    public const string ControlOfficialChannel = "labels.controlOfficial.channel";
    public const string CaseRef = "labels.caseRef";
    public const string Justification = "labels.justification";
    public const string ReviewBy = "labels.reviewBy";
}
