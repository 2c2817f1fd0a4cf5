namespace SharingHub.Matching;

/// <summary>The matching-relevant fields of a sanitized person record, as the agency sent them.</summary>
/// <param name="GivenName">Given name(s), e.g. "María José"; may hold "Surname, Given" when <paramref name="Surname"/> is empty.</param>
/// <param name="Surname">Family name(s), e.g. "García López", "GARCIA-LOPEZ", "de la Cruz".</param>
/// <param name="Aliases">Other names: a moniker ("Majo"), "Given Surname" or "Surname, Given".</param>
/// <param name="BirthDate">Full or partial ISO date (<c>1988</c>, <c>1988-03</c>, <c>1988-03-14</c>) or <c>YYYYMMDD</c>.</param>
/// <param name="Sex">F / M (female, male, mujer, hombre…); anything else counts as unknown.</param>
/// <param name="Identifiers">Typed identifiers (SSN, passport, driver licence, A-number…).</param>
public sealed record PersonInput(
    string? GivenName,
    string? Surname,
    IReadOnlyList<string>? Aliases = null,
    string? BirthDate = null,
    string? Sex = null,
    IReadOnlyList<IdentifierInput>? Identifiers = null);

/// <summary>A typed identifier; the type qualifies the value (<c>ssn</c>, <c>passport:MX</c>, <c>dl:TX</c>).</summary>
public sealed record IdentifierInput(string Type, string Value);

/// <summary>A phone record: the number as written and the days it was known to be in use (inclusive; null = open).</summary>
/// <param name="Number">The number as written, e.g. "(713) 555-0199" or "+52 55 1234 5678".</param>
/// <param name="ValidFrom">First day known in use.</param>
/// <param name="ValidTo">Last day known in use; null while still in use.</param>
/// <param name="SubjectRef">The local id of the person this phone points to, if any.</param>
public sealed record PhoneInput(string Number, DateOnly? ValidFrom = null, DateOnly? ValidTo = null, string? SubjectRef = null);

/// <summary>A place tied to a subject: an address and/or coordinates, and when it was known to be used (null = open).</summary>
public sealed record PlaceInput(
    string? Address,
    double? Latitude = null,
    double? Longitude = null,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? ValidTo = null,
    string? SubjectRef = null);

/// <summary>A planned operation: a circle (centre and radius) and a time window.</summary>
public sealed record OperationInput(double Latitude, double Longitude, double RadiusMeters, DateTimeOffset StartsAt, DateTimeOffset EndsAt);
