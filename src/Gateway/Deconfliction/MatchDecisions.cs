using SharingHub.Matching;
using SharingHub.Matching.Scoring;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>A hit between two records (A has the lower id), ready to upsert.</summary>
internal sealed record MatchHit(
    MatchKind Kind,
    Matchable A,
    Matchable B,
    long? SubjectA,
    long? SubjectB,
    double? Score,
    string? Band,
    string Explanation,
    string? ParametersVersion)
{
    public (long, long, MatchKind) Pair => (A.Id, B.Id, Kind);

    public string Fingerprint => MatchFingerprint.Pair(A.Fingerprint, B.Fingerprint);
}

/// <summary>
/// Decides whether two records of different agencies are a hit, with the engine's rules, and writes the
/// explanation an officer reads (<see cref="MatchExplanation"/>).
/// </summary>
internal static class MatchDecisions
{
    /// <summary>The hit between <paramref name="x"/> and <paramref name="y"/>, or null; symmetric (the lower id is A).</summary>
    public static MatchHit? Decide(MatchingEngine engine, Matchable x, Matchable y, NameFrequencies? frequencies = null)
    {
        var (a, b) = x.Id < y.Id ? (x, y) : (y, x);
        if (!a.Usable || !b.Usable || a.Agency == b.Agency || a.Id == b.Id)
        {
            return null;
        }
        return (a.Kind, b.Kind) switch
        {
            (KeyedKind.Person, KeyedKind.Person) => Persons(engine, a, b, frequencies),
            (KeyedKind.Phone, KeyedKind.Phone) => engine.MatchPhones(a.Phone!, b.Phone!) is { } phone
                ? new MatchHit(MatchKind.SharedPhone, a, b, a.SubjectId, b.SubjectId, null, null, MatchExplanation.ForPhone(phone).ToJson(), null)
                : null,
            (KeyedKind.Place, KeyedKind.Place) => engine.MatchPlaces(a.Place!, b.Place!) is { } place
                ? new MatchHit(MatchKind.SharedPlace, a, b, a.SubjectId, b.SubjectId, null, null, MatchExplanation.ForPlace(place).ToJson(), null)
                : null,
            (KeyedKind.Place, KeyedKind.Operation) => SubjectInOperation(engine, a, b, placeIsA: true),
            (KeyedKind.Operation, KeyedKind.Place) => SubjectInOperation(engine, b, a, placeIsA: false),
            (KeyedKind.Operation, KeyedKind.Operation) => engine.MatchOperations(a.Operation!, b.Operation!) is { } conflict
                ? new MatchHit(MatchKind.OperationConflict, a, b, null, null, null, null, MatchExplanation.ForOperations(conflict).ToJson(), null)
                : null,
            _ => null,
        };
    }

    private static MatchHit? Persons(MatchingEngine engine, Matchable a, Matchable b, NameFrequencies? frequencies)
    {
        // Most candidate pairs score no band: the allocation-free score decides them. Only a hit is scored again with
        // its explanation, which gives the same score and band (PersonScorer.QuickScore).
        if (engine.QuickScore(a.Person!, b.Person!, frequencies).Band == MatchBand.None)
        {
            return null;
        }
        var result = engine.ScorePersons(a.Person!, b.Person!, frequencies);
        var band = result.Band switch
        {
            MatchBand.Match => "Match",
            MatchBand.Possible => "Possible",
            MatchBand.None => null,
            _ => null,
        };
        if (band is null)
        {
            return null;
        }
        var explanation = MatchExplanation.ForPersons(result, band).ToJson();
        return new MatchHit(MatchKind.PersonIdentity, a, b, null, null, result.Score, band, explanation, result.ParametersVersion);
    }

    private static MatchHit? SubjectInOperation(MatchingEngine engine, Matchable place, Matchable operation, bool placeIsA)
    {
        if (engine.MatchSubjectInOperation(place.Place!, operation.Operation!) is not { } hit)
        {
            return null;
        }
        var explanation = MatchExplanation.ForSubjectInOperation(hit).ToJson();
        return placeIsA
            ? new MatchHit(MatchKind.SubjectInOperation, place, operation, place.SubjectId, null, null, null, explanation, null)
            : new MatchHit(MatchKind.SubjectInOperation, operation, place, null, place.SubjectId, null, null, explanation, null);
    }

}
