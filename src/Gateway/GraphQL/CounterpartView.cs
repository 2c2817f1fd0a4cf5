using System.Globalization;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Gateway.Records;

namespace SharingHub.Gateway.GraphQL;

/// <summary>A field of the counterpart's record that a <see cref="Release.Full"/> release shows.</summary>
internal sealed record ReleasedField(string Name, string Value);

/// <summary>The control official to call about a record.</summary>
internal sealed record Contact(string? Name, string? Channel);

/// <summary>
/// What one reader may see of the other side of one match. Built only through <see cref="Of"/>, which applies
/// <see cref="ReleasePolicy"/>: nothing of the record is copied here that its release does not allow.
/// </summary>
internal sealed record CounterpartView(
    long MatchId,
    long RecordId,
    Release Release,
    Sensitivity? Sensitivity,
    RecordKind? Kind,
    Agency? Agency,
    Contact? Contact,
    IReadOnlyList<ReleasedField> Fields,
    IReadOnlyList<ExplanationLine> Explanation,
    double? Score,
    string? Band)
{
    public static CounterpartView Of(HubPrincipal reader, Match match, StoredRecord? other, StoredRecord? otherSubject,
        IReadOnlyDictionary<string, Agency> agencies)
    {
        var otherAgencyCode = match.AgencyA == reader.Agency ? match.AgencyB : match.AgencyA;
        var otherId = match.AgencyA == reader.Agency ? match.RecordBId : match.RecordAId;
        if (other is null || !agencies.TryGetValue(otherAgencyCode, out var agency))
        {
            return new CounterpartView(match.Id, otherId, Release.None, null, null, null, null, [], [], null, null);
        }
        var release = ReleasePolicy.For(reader, new CounterpartFacts(other.Sensitivity, agency.Kind,
            other.Role == PersonRole.Victim || otherSubject?.Role == PersonRole.Victim));
        var explanation = MatchExplanation.Read(match.Explanation);
        var lines = explanation.Lines.Where(line => release.Permits(line.Discloses)).ToList();
        return release switch
        {
            Release.None => new CounterpartView(match.Id, other.Id, release, other.Sensitivity, null, null, null, [], [], null, null),
            Release.ContactOnly => new CounterpartView(match.Id, other.Id, release, other.Sensitivity, other.Kind, agency,
                new Contact(other.ControlOfficialName, other.ControlOfficialChannel), [], lines, match.Score, match.Band),
            Release.Full => new CounterpartView(match.Id, other.Id, release, other.Sensitivity, other.Kind, agency,
                new Contact(other.ControlOfficialName, other.ControlOfficialChannel), MatchedFields(other, explanation), lines,
                match.Score, match.Band),
            _ => throw new InvalidOperationException($"Unknown release {release}."),
        };
    }

    // The values behind what matched: a person's agreeing name and date fields, a phone's number, a place's address
    // and point, an operation's area and window.
    private static List<ReleasedField> MatchedFields(StoredRecord other, MatchExplanation explanation)
    {
        var fields = new List<ReleasedField>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                fields.Add(new ReleasedField(name, value));
            }
        }
        switch (other.Kind)
        {
            case RecordKind.Person:
                var agreed = explanation.Lines.Where(l => l.Level is not ("Disagree" or "Missing")).Select(l => l.Field).ToHashSet(StringComparer.Ordinal);
                if (agreed.Contains("GivenName"))
                {
                    Add("givenName", other.GivenName);
                }
                if (agreed.Contains("Surname"))
                {
                    Add("surname", other.Surname);
                }
                if (agreed.Contains("BirthDate"))
                {
                    Add("birthDate", BirthDate(other));
                }
                break;
            case RecordKind.Phone:
                Add("number", other.PhoneE164);
                break;
            case RecordKind.Location:
                Add("address", other.Address);
                Add("latitude", other.Latitude?.ToString("0.######", CultureInfo.InvariantCulture));
                Add("longitude", other.Longitude?.ToString("0.######", CultureInfo.InvariantCulture));
                Add("radiusMeters", other.RadiusMeters?.ToString("0", CultureInfo.InvariantCulture));
                if (other.OperationWindow is { } window)
                {
                    Add("startsAt", window.LowerBound.ToString("O", CultureInfo.InvariantCulture));
                    Add("endsAt", window.UpperBound.ToString("O", CultureInfo.InvariantCulture));
                }
                break;
            default:
                break;
        }
        return fields;
    }

    private static string? BirthDate(StoredRecord person) => (person.BirthYear, person.BirthMonth, person.BirthDay) switch
    {
        ({ } y, { } m, { } d) => string.Create(CultureInfo.InvariantCulture, $"{y:0000}-{m:00}-{d:00}"),
        ({ } y, { } m, null) => string.Create(CultureInfo.InvariantCulture, $"{y:0000}-{m:00}"),
        ({ } y, _, _) => y.ToString("0000", CultureInfo.InvariantCulture),
        _ => null,
    };
}
